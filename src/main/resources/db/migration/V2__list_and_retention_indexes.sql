-- The operators' lists (GET /generations?state=...&after=...) page newest first through one state,
-- and retention deletes the oldest rows of a state in batches: both walk (state, updated_at) with
-- the id as the tie-break, so neither sorts a whole state's rows.
CREATE INDEX generation_state_updated ON generation (state, updated_at, generation_id);
CREATE INDEX submission_state_updated ON submission (state, updated_at, queued_id);

-- Retention deletes a generation's submission with it, found by the generation it became.
CREATE INDEX submission_generation ON submission (generation_id);
