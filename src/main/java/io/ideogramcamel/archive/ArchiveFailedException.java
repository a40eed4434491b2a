package io.ideogramcamel.archive;

/**
 * The generation cannot be archived and retrying will not help (the image host answered 4xx, the
 * links expired): it becomes FAILED with this fixed reason, keeping what was already stored.
 */
public class ArchiveFailedException extends RuntimeException {

    public ArchiveFailedException(String reason) {
        super(reason, null, false, false);
    }

    public String getReason() {
        return getMessage();
    }
}
