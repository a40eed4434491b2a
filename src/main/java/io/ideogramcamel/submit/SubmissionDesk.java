package io.ideogramcamel.submit;

import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.api.ApiRejectedException;
import io.ideogramcamel.store.StoreUnavailableException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POST /generations side of a submission: records the request, takes it for sending at once
 * when it is first in line and fits the budget, and turns where it ended into the caller's answer.
 * The answer sets the exchange properties {@code answerStatus} and the body; the route writes them.
 */
public class SubmissionDesk {

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionDesk.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Exchange property: the HTTP status of the answer. */
    public static final String ANSWER_STATUS = "answerStatus";

    private SubmissionLedger ledger;

    public void setLedger(SubmissionLedger ledger) {
        this.ledger = ledger;
    }

    /** Records the validated request (QUEUED), or finds the first one under the same Idempotency-Key. */
    public void enqueue(Exchange exchange) {
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        String request = exchange.getProperty(GenerationExchange.GENERATE_REQUEST, String.class);
        int images = exchange.getProperty(GenerationExchange.IMAGE_COUNT, Integer.class);
        String callbackUrl = exchange.getProperty(GenerationExchange.CALLBACK_URL, String.class);
        String metadata = exchange.getProperty(GenerationExchange.METADATA, String.class);
        SubmissionLedger.Enqueued enqueued = ledger.enqueue(key, request, images, callbackUrl, metadata);
        Submission first = enqueued.submission();
        if (enqueued.repeated() && !(Objects.equals(first.request(), request)
                && Objects.equals(first.callbackUrl(), callbackUrl) && Objects.equals(first.metadata(), metadata))) {
            // One key, two different requests: answering the first would hide the second's loss.
            throw new ApiRejectedException(422, "idempotency_key_reused");
        }
        exchange.setProperty(GenerationExchange.SUBMISSION, enqueued.submission());
        exchange.setProperty(GenerationExchange.REPEATED, enqueued.repeated());
    }

    /** Claims the caller's own submission for sending now; leaves the claim null when it must wait. */
    public void claimOwn(Exchange exchange) {
        Submission submission = submission(exchange);
        try {
            SendClaim claim = ledger.claimHead(submission.queuedId());
            exchange.setProperty(GenerationExchange.SEND_CLAIM, claim);
            if (claim == null) {
                ledger.leaveToDispatcher(submission.queuedId());
            }
        } catch (StoreUnavailableException e) {
            // The request is committed as queued: the dispatcher sends it once the store answers. A
            // 503 now would invite a retry, and the retry would be a second, billed generation.
            LOG.warn("submission {} stays queued: the store could not take it for sending now", submission.queuedId());
        }
    }

    /** Claims whichever submission is first in line (the dispatcher); null when none may go now. */
    public void claimNext(Exchange exchange) {
        exchange.setProperty(GenerationExchange.SEND_CLAIM, ledger.claimHead(null));
    }

    /**
     * The answer for a new request, from where its submission stands now. It is kept for a repeated
     * Idempotency-Key. If the store failed while recording the send, the answer says unknown rather
     * than inviting a retry that could bill the generation twice.
     */
    public void answer(Exchange exchange) {
        Submission first = submission(exchange);
        boolean sent = exchange.getProperty(GenerationExchange.SEND_CLAIM) != null;
        Submission now;
        try {
            now = ledger.find(first.queuedId()).orElse(first);
        } catch (StoreUnavailableException e) {
            // Committed already, so never 503 (a retry would bill it twice): queued if it was not
            // sent from here (the dispatcher will), unknown if it was and the outcome is not readable.
            LOG.error("submission {} could not be read back from the store; answering {}", first.queuedId(),
                    sent ? "unknown" : "queued");
            setAnswer(exchange, 202, sent
                    ? body(first.queuedId(), null, "unknown", "store_unavailable")
                    : body(first.queuedId(), null, "queued", null));
            return;
        }
        Answer answer = answerForNewRequest(now, sent);
        setAnswer(exchange, answer.status(), answer.body());
        if (now.idempotencyKey() != null) {
            try {
                ledger.recordAnswer(now.queuedId(), answer.status(), answer.body());
            } catch (StoreUnavailableException e) {
                // a repeat of the key then gets an answer made from the submission's state instead
                LOG.warn("first answer of submission {} not kept: store unavailable", now.queuedId());
            }
        }
    }

    /** A repeated Idempotency-Key gets the first answer; while the first is still being sent, 409. */
    public void replay(Exchange exchange) {
        Submission first = submission(exchange);
        if (first.answerStatus() != null) {
            setAnswer(exchange, first.answerStatus(), first.answerBody());
            return;
        }
        Answer answer = answerFor(first);
        setAnswer(exchange, answer.status(), answer.body());
    }

    record Answer(int status, String body) {
    }

    /**
     * The first answer to a request. Its row can be SENDING when the caller is answered: a
     * dispatcher (this instance's or another's) took it from the queue after this request found no
     * room, or this request's own send could not record its outcome. Neither is the repeated
     * Idempotency-Key that 409 is meant for: the first is still queued as far as the caller can
     * act on it, the second will lapse to unknown.
     */
    static Answer answerForNewRequest(Submission s, boolean sentHere) {
        if (s.state() == SubmissionState.SENDING) {
            return sentHere
                    ? new Answer(202, body(s.queuedId(), null, "unknown", "store_unavailable"))
                    : new Answer(202, body(s.queuedId(), null, "queued", null));
        }
        return answerFor(s);
    }

    static Answer answerFor(Submission s) {
        return switch (s.state()) {
            case SENT -> new Answer(202, body(s.queuedId(), s.generationId(), "submitted", null));
            case QUEUED -> new Answer(202, body(s.queuedId(), null, "queued", null));
            case SENDING -> new Answer(409, body(s.queuedId(), null, null, "submission_in_progress"));
            // 202, not 5xx: a client that retries on 5xx would submit (and pay for) it again.
            case UNKNOWN -> new Answer(202, body(s.queuedId(), null, "unknown", s.error()));
            case FAILED -> new Answer(failedStatus(s.error()), body(s.queuedId(), null, "failed", s.error()));
        };
    }

    static int failedStatus(String error) {
        if (error == null) {
            return 502;
        }
        return switch (error) {
            case "insufficient_funds", "daily_limit" -> 402;
            case "prompt_rejected" -> 422;
            case "ideogram_bad_request", SubmissionLedger.OVER_BUDGET -> 400;
            default -> 502;
        };
    }

    private static String body(String queuedId, String generationId, String state, String error) {
        ObjectNode body = JSON.createObjectNode();
        if (generationId != null) {
            body.put("generation_id", generationId);
        }
        body.put("queued_id", queuedId);
        if (state != null) {
            body.put("state", state);
        }
        if (error != null) {
            body.put("error", error);
        }
        return body.toString();
    }

    private static void setAnswer(Exchange exchange, int status, String body) {
        exchange.setProperty(ANSWER_STATUS, status);
        exchange.getMessage().setBody(body);
    }

    private static Submission submission(Exchange exchange) {
        Submission s = exchange.getProperty(GenerationExchange.SUBMISSION, Submission.class);
        if (s == null) {
            throw new IllegalStateException("no submission on this exchange");
        }
        return s;
    }
}
