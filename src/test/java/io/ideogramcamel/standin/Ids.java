package io.ideogramcamel.standin;

/**
 * The id check, kept here rather than borrowed from the bundle: the stand-in jar carries only
 * this package, so it must not depend on the bundle's classes.
 */
final class Ids {

    private static final int MAX_LENGTH = 256;

    private Ids() {
    }

    static boolean isUrlSafeBase64(String value) {
        return !value.isEmpty() && value.length() <= MAX_LENGTH && value.matches("[A-Za-z0-9_-]+={0,2}");
    }
}
