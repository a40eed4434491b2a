-- Stands for a later release's migration: it needs a lock on generation.
ALTER TABLE generation ADD COLUMN later_release_note VARCHAR(16);
