package io.ideogramcamel.api;

/**
 * Refuses a request to the bundle's own API (POST /generations, GET /generations...) with a fixed
 * status, a fixed reason token and, for a bad field, the field's name. error-handling.camel.yaml
 * turns it into the answer; nothing the caller sent is echoed but the name of a known field.
 */
public class ApiRejectedException extends RuntimeException {

    private final int status;
    private final String reason;
    private final String field;
    private final Integer retryAfterSeconds;

    public ApiRejectedException(int status, String reason) {
        this(status, reason, null);
    }

    public ApiRejectedException(int status, String reason, String field) {
        this(status, reason, field, null);
    }

    private ApiRejectedException(int status, String reason, String field, Integer retryAfterSeconds) {
        super(reason, null, false, false);
        this.status = status;
        this.reason = reason;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A refusal the caller may try again after {@code seconds}: answered with a Retry-After header. */
    public static ApiRejectedException retryLater(int status, String reason, int seconds) {
        return new ApiRejectedException(status, reason, null, seconds);
    }

    /** Read by error-handling.camel.yaml as ${exception.status}. */
    public int getStatus() {
        return status;
    }

    /** Read by error-handling.camel.yaml as ${exception.reason}. */
    public String getReason() {
        return reason;
    }

    /** Read by error-handling.camel.yaml: the Retry-After header's seconds, or null for none. */
    public Integer getRetryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The offending field, or null. */
    public String getField() {
        return field;
    }

    /** The answer's body: {"error": reason} and, for a bad field, "field". */
    public String getBody() {
        return field == null
                ? "{\"error\":\"" + reason + "\"}"
                : "{\"error\":\"" + reason + "\",\"field\":\"" + field + "\"}";
    }
}
