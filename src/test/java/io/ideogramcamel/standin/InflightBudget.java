package io.ideogramcamel.standin;

import java.util.Map;

/**
 * Ideogram's per-account concurrency limit: images of generations not yet completed or failed,
 * a request for n images taking n places. Also remembers the most ever in flight, which tests use
 * to prove a client kept within the budget.
 */
final class InflightBudget {

    private final int maxImages;
    private int inFlight;
    private int maxSeen;

    InflightBudget(int maxImages) {
        this.maxImages = maxImages;
    }

    synchronized void reserve(int images) throws ApiError {
        if (inFlight + images > maxImages) {
            throw new ApiError(429, Map.of(
                    "error", "Too many images in flight: at most " + maxImages + " at a time",
                    "reject_reason", "inflight_limit",
                    "max_inflight_requests", maxImages), Map.of());
        }
        inFlight += images;
        maxSeen = Math.max(maxSeen, inFlight);
    }

    synchronized void release(int images) {
        inFlight -= images;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int maxSeen() {
        return maxSeen;
    }
}
