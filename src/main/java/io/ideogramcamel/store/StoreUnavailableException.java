package io.ideogramcamel.store;

/**
 * The generation store could not commit or read: the database is down, overloaded, too slow, or the
 * store is not running. The webhook route maps it to 503 so Ideogram retries.
 *
 * <p>Its message is a fixed phrase chosen here, never the driver's text, and it carries no cause:
 * driver messages can hold SQL, host names, or values, and an error handler that renders the
 * exception (or its stack trace) must not be able to leak them. The store logs the driver's
 * failure itself, once per failed batch.
 */
public class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    /** With the driver's failure as the cause, for the store's log line (never for an answer). */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
