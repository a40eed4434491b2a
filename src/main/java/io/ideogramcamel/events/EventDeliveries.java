package io.ideogramcamel.events;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.LongSupplier;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.store.StoreUnavailableException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatch routes' view of the ledger: each method is one step of one attempt (claim, resolve
 * the target, record how it ended) and sets {@link GenerationExchange#EVENT_OUTCOME} to the counter it
 * ended in. Which ending applies is decided in the routes (a choice on the HTTP status); the retry
 * schedule only says when, and whether attempts are left.
 */
public class EventDeliveries {

    private static final Logger LOG = LoggerFactory.getLogger(EventDeliveries.class);

    static final String DELIVERED = "delivered";
    static final String RETRIED = "retried";
    static final String DEAD = "dead";
    /** The metric tag of a delivery whose destination is no longer configured (bounded: one value). */
    public static final String UNCONFIGURED = "unconfigured";

    private EventDeliveryLedger ledger;
    private EventDestinations destinations;
    private RetrySchedule schedule;
    private LongSupplier clock = System::currentTimeMillis;

    public void setLedger(EventDeliveryLedger ledger) {
        this.ledger = ledger;
    }

    public void setDestinations(EventDestinations destinations) {
        this.destinations = destinations;
    }

    public void setSchedule(RetrySchedule schedule) {
        this.schedule = schedule;
    }

    void setClock(LongSupplier clock) {
        this.clock = clock;
    }

    /** PENDING deliveries due now, for the timer. */
    public List<Long> findDue(int limit) {
        return ledger.findDue(limit);
    }

    /** Claims the delivery (the body, its id) and keeps its lease alive while the attempt runs; null if taken. */
    public DeliveryClaim claim(Exchange exchange) {
        DeliveryClaim claim = ledger.claim(exchange.getMessage().getBody(Long.class));
        if (claim != null) {
            ledger.keepAlive(Long.toString(claim.deliveryId()), claim.leaseOwner());
        }
        return claim;
    }

    /** The attempt has ended, however: its lease is no longer renewed. */
    public void release(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        if (claim != null) {
            ledger.stopKeepingAlive(claim.leaseOwner());
        }
    }

    /**
     * The target the stored name stands for now: a configured endpoint URI or webhook URL of the same
     * kind, or the submission's callback URL; null when there is none any more.
     */
    public String target(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        if (claim.isOwnCallback()) {
            return claim.callbackUrl();
        }
        return destinations.find(claim.destination()).filter(d -> d.kind() == claim.kind())
                .map(EventDestinations.Destination::target).orElse(null);
    }

    /** The destination as a metric tag: the names configured now, callback_url, or one value for the rest. */
    public String meterTag(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        if (claim.isOwnCallback()) {
            return EventDestinations.CALLBACK_URL;
        }
        return destinations.find(claim.destination()).isPresent() ? claim.destination() : UNCONFIGURED;
    }

    /** Taken by the destination (an endpoint that did not throw, a 2xx). */
    public void delivered(Exchange exchange) {
        outcome(exchange, ledger.markDelivered(claimOf(exchange), status(exchange)), DELIVERED);
    }

    /** A callback answered 410 Gone: this URL wants no more of this event. */
    public void gone(Exchange exchange) {
        dead(exchange, "gone");
    }

    /**
     * The name is not configured on this instance: during a rolling deploy another instance may
     * already know it, so this is a failed attempt like any other, retried with backoff, dead (and
     * redeliverable once configured) only when the attempts run out.
     */
    public void notConfigured(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        failed(exchange, "destination_not_configured", schedule.backoffMillis(claim.attempts()));
    }

    /** A callback with no signing secret to sign it: never sent unsigned. */
    public void secretMissing(Exchange exchange) {
        dead(exchange, "signing_secret_missing");
    }

    /** The callback's host is refused by the policy (the token in {@link GenerationExchange#EVENT_REFUSAL}). */
    public void refused(Exchange exchange) {
        dead(exchange, exchange.getProperty(GenerationExchange.EVENT_REFUSAL, String.class));
    }

    /** Any other answer: retried after the backoff, dead after the last attempt. */
    public void retryLater(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        failed(exchange, "http_" + status(exchange), schedule.backoffMillis(claim.attempts()));
    }

    /** 429 or 503: retried after the receiver's Retry-After (capped), dead after the last attempt. */
    public void retryAfter(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        String header = exchange.getMessage().getHeader("Retry-After", String.class);
        failed(exchange, "http_" + status(exchange),
                schedule.retryAfterMillis(header, claim.attempts(), clock.getAsLong()));
    }

    /** The send threw (no answer, a broker down): retried after the backoff, dead after the last attempt. */
    public void sendFailed(Exchange exchange) {
        DeliveryClaim claim = claimOf(exchange);
        if (claim == null) {
            return; // the claim itself failed: nothing is held
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause instanceof StoreUnavailableException) {
            return; // recording failed, not the send: the lease lapses and the delivery is due again
        }
        exchange.removeProperty(GenerationExchange.EVENT_STATUS);
        try {
            failed(exchange, errorToken(cause), schedule.backoffMillis(claim.attempts()));
        } catch (StoreUnavailableException e) {
            // Not recorded: the lease lapses (deliver-event's onCompletion stops renewing it) and the
            // delivery is due again. Caught here, not thrown out of the error handler, where Camel
            // would log the send's exception text, which may hold a URI with a password.
            LOG.warn("event delivery attempt not recorded: store unavailable event_id={}", claim.eventId());
            exchange.removeProperty(GenerationExchange.EVENT_OUTCOME);
        }
    }

    private void failed(Exchange exchange, String token, long delayMillis) {
        DeliveryClaim claim = claimOf(exchange);
        if (schedule.isLastAttempt(claim.attempts())) {
            dead(exchange, token);
            return;
        }
        outcome(exchange, ledger.retryLater(claim, delayMillis, status(exchange), token), RETRIED);
    }

    private void dead(Exchange exchange, String token) {
        outcome(exchange, ledger.markDead(claimOf(exchange), status(exchange), token), DEAD);
    }

    /* A lease lost meanwhile (taken over after a stall) counts nothing: the new holder's attempt will. */
    private static void outcome(Exchange exchange, boolean recorded, String outcome) {
        if (recorded) {
            exchange.setProperty(GenerationExchange.EVENT_OUTCOME, outcome);
        } else {
            LOG.warn("event delivery lease lost delivery_id={}: another worker continues", claimOf(exchange).deliveryId());
            exchange.removeProperty(GenerationExchange.EVENT_OUTCOME);
        }
    }

    /** A fixed token for what went wrong; the exception's text may hold a URL with credentials. */
    static String errorToken(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "connection_failed";
            }
            if (t instanceof UnknownHostException) {
                return "unknown_host";
            }
            // socket and connect timeouts (HttpClient's ConnectTimeoutException is one too)
            if (t instanceof InterruptedIOException) {
                return "timeout";
            }
        }
        return "send_failed";
    }

    private static Integer status(Exchange exchange) {
        return exchange.getProperty(GenerationExchange.EVENT_STATUS, Integer.class);
    }

    private static DeliveryClaim claimOf(Exchange exchange) {
        return exchange.getProperty(GenerationExchange.EVENT_CLAIM, DeliveryClaim.class);
    }
}
