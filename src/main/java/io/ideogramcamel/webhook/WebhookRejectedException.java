package io.ideogramcamel.webhook;

/**
 * Thrown by the webhook beans to refuse a delivery. The message is the fixed reason token only, so
 * the error handler can log it and answer with it without ever echoing input or a stack trace.
 */
public class WebhookRejectedException extends RuntimeException {

    private final WebhookRejection rejection;

    public WebhookRejectedException(WebhookRejection rejection) {
        super(rejection.reason(), null, false, false);
        this.rejection = rejection;
    }

    public WebhookRejection getRejection() {
        return rejection;
    }

    /** Read once per refusal by WebhookRejectionFields, for error-handling.camel.yaml. */
    public int getStatus() {
        return rejection.status();
    }

    /** Read once per refusal by WebhookRejectionFields, for error-handling.camel.yaml. */
    public String getReason() {
        return rejection.reason();
    }
}
