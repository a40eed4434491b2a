package io.ideogramcamel.archive;

/**
 * Another worker took this generation over (our lease lapsed): stop quietly and leave it to them.
 */
public class LeaseLostException extends RuntimeException {

    public LeaseLostException() {
        super("lease_lost", null, false, false);
    }
}
