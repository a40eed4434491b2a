package io.ideogramcamel;

/**
 * The shape of Ideogram's ids (generation, user): URL-safe base64 with at most two trailing '=',
 * bounded in length. Checked before an id is used as a key, a log field or part of an object path.
 */
public final class UrlSafeBase64 {

    public static final int MAX_LENGTH = 256;

    private UrlSafeBase64() {
    }

    /** A char loop, not a regex: this runs on every webhook delivery. */
    public static boolean isValid(String value) {
        int length = value.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        int end = length;
        while (end > 0 && length - end < 2 && value.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
