package io.ideogramcamel.observe;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.ideogramcamel.testing.Http;

/** Reads the bundle's /observe/metrics (Prometheus text) for tests. */
final class Metrics {

    private Metrics() {
    }

    static String scrape(String baseUrl) {
        var answer = Http.get(baseUrl + "/observe/metrics");
        if (answer.statusCode() != 200) {
            throw new AssertionError("/observe/metrics answered " + answer.statusCode());
        }
        return answer.body();
    }

    /** Waits, bounded, until a scrape satisfies {@code condition}; returns the last scrape. */
    static String awaitScrape(String baseUrl, Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = scrape(baseUrl);
        while (!condition.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = scrape(baseUrl);
        }
        return last;
    }

    /** The sample lines (not comments) of one series name, labels and value included. */
    static List<String> samples(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " ")).toList();
    }

    /** The value of the only sample of {@code name} whose labels contain {@code label}, or null. */
    static Double value(String scrape, String name, String label) {
        List<String> lines = samples(scrape, name).stream().filter(l -> label.isEmpty() || l.contains(label)).toList();
        if (lines.size() != 1) {
            return null;
        }
        String line = lines.get(0);
        return Double.valueOf(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** Every sample name exported. */
    static Set<String> names(String scrape) {
        Set<String> names = new TreeSet<>();
        scrape.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
        return names;
    }
}
