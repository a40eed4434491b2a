package io.ideogramcamel.standin;

import java.util.Map;

/** An error answer: the status, the JSON body fields and any extra headers (Retry-After). */
final class ApiError extends Exception {

    private final int status;
    private final Map<String, Object> body;
    private final Map<String, String> headers;

    ApiError(int status, String error) {
        this(status, Map.of("error", error), Map.of());
    }

    ApiError(int status, Map<String, Object> body, Map<String, String> headers) {
        super(String.valueOf(body.get("error")), null, false, false);
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    static ApiError tooManyRequests(int retryAfterSeconds) {
        return new ApiError(429, Map.of("error", "Too many requests; retry later"),
                Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
    }

    int status() {
        return status;
    }

    Map<String, Object> body() {
        return body;
    }

    Map<String, String> headers() {
        return headers;
    }
}
