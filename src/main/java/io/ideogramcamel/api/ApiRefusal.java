package io.ideogramcamel.api;

/**
 * Lets a route that decided on a refusal in its own {@code choice} answer it the way every other
 * refusal of the API is answered: thrown as {@link ApiRejectedException}, so api-errors logs,
 * counts and writes the body once for all. The route keeps the decision (which status, which
 * token); this bean only raises it.
 */
public class ApiRefusal {

    /** Always throws: the answer is {@code status} with {"error": reason}. */
    public void refuse(int status, String reason) {
        throw new ApiRejectedException(status, reason);
    }

    /** Always throws: as {@link #refuse}, with a Retry-After of {@code seconds}. */
    public void refuseLater(int status, String reason, int seconds) {
        throw ApiRejectedException.retryLater(status, reason, seconds);
    }
}
