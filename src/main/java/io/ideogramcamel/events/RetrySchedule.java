package io.ideogramcamel.events;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import io.ideogramcamel.store.StoreSql;

/**
 * When a failed delivery is tried again: exponential backoff from the initial delay, doubling to
 * the maximum, with ±20% jitter so many deliveries failed by one outage do not all return in the
 * same second; or the receiver's own Retry-After (429, 503), never beyond the maximum. After
 * maxAttempts attempts the delivery is dead.
 */
public class RetrySchedule {

    private static final double JITTER = 0.2;

    private int initialDelaySeconds = 5;
    private int maxDelaySeconds = 36_000;
    private int maxAttempts = 15;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    /** 0 allowed: every retry at once (tests). */
    public void setInitialDelaySeconds(int initialDelaySeconds) {
        if (initialDelaySeconds < 0) {
            throw new IllegalArgumentException("events.retry.initial-delay-seconds must not be negative");
        }
        this.initialDelaySeconds = initialDelaySeconds;
    }

    public void setMaxDelaySeconds(int maxDelaySeconds) {
        if (maxDelaySeconds < 0) {
            throw new IllegalArgumentException("events.retry.max-delay-seconds must not be negative");
        }
        this.maxDelaySeconds = maxDelaySeconds;
    }

    public void setMaxAttempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("events.retry.max-attempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
    }

    /** A source of numbers in [0, 1) for the jitter (tests pin it). */
    void setRandom(DoubleSupplier random) {
        this.random = random;
    }

    /** Whether the attempt that just failed, with {@code attemptsBefore} made before it, was the last. */
    public boolean isLastAttempt(int attemptsBefore) {
        return attemptsBefore + 1 >= maxAttempts;
    }

    /** The wait after a failed attempt that had {@code attemptsBefore} attempts before it. */
    public long backoffMillis(int attemptsBefore) {
        long base = StoreSql.doublingDelayMillis(initialDelaySeconds, maxDelaySeconds, attemptsBefore);
        double factor = 1 - JITTER + 2 * JITTER * random.getAsDouble();
        return Math.min(maxMillis(), Math.round(base * factor));
    }

    /**
     * The wait a Retry-After header asks for (delta seconds, or an HTTP date), capped at the maximum
     * delay; the backoff when the header is absent or unreadable.
     */
    public long retryAfterMillis(String retryAfter, int attemptsBefore, long nowMillis) {
        Long asked = parseRetryAfter(retryAfter, nowMillis);
        return asked == null ? backoffMillis(attemptsBefore) : Math.min(maxMillis(), asked);
    }

    /** Milliseconds from now, or null when the value is neither delta seconds nor an HTTP date. */
    static Long parseRetryAfter(String value, long nowMillis) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.matches("[0-9]{1,10}")) {
            return Long.parseLong(v) * 1000L;
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - nowMillis);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private long maxMillis() {
        return Duration.ofSeconds(maxDelaySeconds).toMillis();
    }
}
