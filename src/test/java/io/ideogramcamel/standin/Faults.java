package io.ideogramcamel.standin;

import java.time.Duration;

/**
 * The misbehaviour tests ask for, each armed for the next N requests: rate-limited submits,
 * submits answered late (created, but the client has given up: the ambiguous case), rate-limited
 * polls, and a delay on every poll answer so overlapping polls become observable.
 */
final class Faults {

    private int rejectSubmits;
    private int rejectSubmitsRetryAfter;
    private int slowSubmits;
    private Duration slowSubmitDelay = Duration.ZERO;
    private int rejectPolls;
    private int rejectPollsRetryAfter;
    private volatile Duration pollDelay;

    Faults(Duration pollDelay) {
        this.pollDelay = pollDelay;
    }

    synchronized void rejectNextSubmits(int count, int retryAfterSeconds) {
        rejectSubmits = count;
        rejectSubmitsRetryAfter = retryAfterSeconds;
    }

    synchronized void delayNextSubmitAnswers(int count, Duration delay) {
        slowSubmits = count;
        slowSubmitDelay = delay;
    }

    synchronized void rejectNextPolls(int count, int retryAfterSeconds) {
        rejectPolls = count;
        rejectPollsRetryAfter = retryAfterSeconds;
    }

    void pollDelay(Duration delay) {
        pollDelay = delay;
    }

    Duration pollDelay() {
        return pollDelay;
    }

    /** Throws the 429 when a rejection is armed, using one up. */
    synchronized void checkSubmit() throws ApiError {
        if (rejectSubmits > 0) {
            rejectSubmits--;
            throw ApiError.tooManyRequests(rejectSubmitsRetryAfter);
        }
    }

    synchronized void checkPoll() throws ApiError {
        if (rejectPolls > 0) {
            rejectPolls--;
            throw ApiError.tooManyRequests(rejectPollsRetryAfter);
        }
    }

    /** How long to hold a created generation's answer back: zero unless a delay is armed. */
    synchronized Duration takeSubmitAnswerDelay() {
        if (slowSubmits > 0) {
            slowSubmits--;
            return slowSubmitDelay;
        }
        return Duration.ZERO;
    }
}
