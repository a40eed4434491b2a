package io.ideogramcamel.archive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationKey;

/**
 * What a retry came to: the outcome token the route chooses its status on ({@code received} and
 * {@code submitted} moved it back to work; anything else is a refusal's token) and the body it
 * answers with. Read by the route as {@code ${exchangeProperty.retryOutcome.outcome}} and
 * {@code ...answer}.
 */
public final class RetryOutcome {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String outcome;
    private final String answer;

    private RetryOutcome(String outcome, String answer) {
        this.outcome = outcome;
        this.answer = answer;
    }

    /** The generation (its store key) is back in {@code state} (received or submitted). */
    static RetryOutcome moved(String key, String state) {
        ObjectNode body = JSON.createObjectNode();
        if (!GenerationKey.IDEOGRAM.equals(GenerationKey.providerOf(key))) {
            body.put("provider", GenerationKey.providerOf(key));
        }
        body.put("generation_id", GenerationKey.idOf(key));
        body.put("state", state);
        return new RetryOutcome(state, body.toString());
    }

    /** Refused with a fixed token (not_found, not_failed, not_retryable, links_expired...). */
    static RetryOutcome refused(String token) {
        return new RetryOutcome(token, "{\"error\":\"" + token + "\"}");
    }

    public String getOutcome() {
        return outcome;
    }

    public String getAnswer() {
        return answer;
    }

    @Override
    public String toString() {
        return outcome;
    }
}
