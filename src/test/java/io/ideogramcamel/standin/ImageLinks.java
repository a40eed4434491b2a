package io.ideogramcamel.standin;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the images are served, and how often each was fetched. Links carry {@code exp} and
 * {@code sig} like Ideogram's expiring links, so clients that keep or strip the query are tested
 * on the real shape; the stand-in itself does not check them.
 */
final class ImageLinks {

    static final String PATH = "/images/";
    private static final Duration LIFETIME = Duration.ofHours(24);

    private final String baseUrl;
    private final Map<String, Integer> fetches = new HashMap<>();

    ImageLinks(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    String url(String generationId, int index) {
        long expires = System.currentTimeMillis() / 1000 + LIFETIME.toSeconds();
        return baseUrl + PATH + generationId + "/" + index + ".png?exp=" + expires + "&sig=" + WebhookSigner.randomId(12);
    }

    synchronized void fetched(String generationId, int index) {
        fetches.merge(key(generationId, index), 1, Integer::sum);
    }

    synchronized int fetches(String generationId, int index) {
        return fetches.getOrDefault(key(generationId, index), 0);
    }

    /** Fetch counts keyed {@code generationId/index}. */
    synchronized Map<String, Integer> fetches() {
        return Map.copyOf(fetches);
    }

    private static String key(String generationId, int index) {
        return generationId + "/" + index;
    }
}
