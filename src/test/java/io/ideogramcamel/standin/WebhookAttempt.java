package io.ideogramcamel.standin;

import java.time.Instant;

/**
 * One webhook delivery attempt. {@code status} is the HTTP status answered, or
 * {@link #NO_RESPONSE} when the connection failed or timed out ({@code error} then says how).
 */
public record WebhookAttempt(String generationId, int attempt, String url, long signedTimestamp, int status,
        String error, Instant at) {

    public static final int NO_RESPONSE = -1;

    public boolean delivered() {
        return status >= 200 && status < 300;
    }
}
