package io.ideogramcamel.standin;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which of Ideogram's API endpoints were called, v1 or v2: {@code "POST /v2/image/generate/ideogram-4"}
 * or {@code "GET /v1/generations/"} (the poll path without its id), with how many calls each.
 */
final class ApiPaths {

    private final Map<String, Integer> counts = new TreeMap<>();

    synchronized void seen(String method, String endpoint) {
        counts.merge(method + " " + endpoint, 1, Integer::sum);
    }

    synchronized Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }
}
