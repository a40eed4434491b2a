package io.ideogramcamel.standin;

import java.util.HashMap;
import java.util.Map;

/**
 * Polls per generation id, and how many polls of one id were ever answered at the same time:
 * a value above 1 means two pollers worked on one generation at once.
 */
final class PollStats {

    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Integer> active = new HashMap<>();
    private int maxConcurrentOfOneId;

    synchronized void enter(String id) {
        counts.merge(id, 1, Integer::sum);
        int now = active.merge(id, 1, Integer::sum);
        maxConcurrentOfOneId = Math.max(maxConcurrentOfOneId, now);
    }

    synchronized void exit(String id) {
        active.computeIfPresent(id, (key, n) -> n == 1 ? null : n - 1);
    }

    synchronized int count(String id) {
        return counts.getOrDefault(id, 0);
    }

    synchronized Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }

    synchronized int maxConcurrentOfOneId() {
        return maxConcurrentOfOneId;
    }
}
