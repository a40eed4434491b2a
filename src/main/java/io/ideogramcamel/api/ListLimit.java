package io.ideogramcamel.api;

/**
 * The {@code limit} of every list the API answers ({@code GET /generations}, {@code GET /events}):
 * 50 when absent, 1 to 500 otherwise, else 400 {@code invalid_limit} naming the parameter. One rule,
 * so the lists cannot drift apart.
 */
public final class ListLimit {

    static final int DEFAULT = 50;
    static final int MAX = 500;

    private ListLimit() {
    }

    public static int parse(String limit) {
        if (limit == null || limit.isEmpty()) {
            return DEFAULT;
        }
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw new ApiRejectedException(400, "invalid_limit", "limit");
    }
}
