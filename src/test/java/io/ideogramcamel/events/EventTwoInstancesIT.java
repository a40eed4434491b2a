package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.ideogramcamel.events.EventDestinations.Kind;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.PostgresSchema;
import io.ideogramcamel.testing.StandardWebhooksJs;
import io.ideogramcamel.testing.StandardWebhooksJs.Receiver;
import io.ideogramcamel.testing.StandardWebhooksJs.Received;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two jar processes on one PostgreSQL share one backlog of callbacks: every event reaches the
 * receiver exactly once (none lost, none attempted by both), and both instances did some of the work.
 */
class EventTwoInstancesIT {

    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "two-instances-test-secret-32byte".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    private static final int EVENTS = 40;
    /*
     * Each answer takes this long, so the backlog (40 events, 4 sends at a time per instance) lasts
     * seconds rather than milliseconds: both instances' timers (every 100 ms) find work in it however
     * warm either JVM is. The backlog cannot be written before both start: the first start migrates
     * the schema.
     */
    private static final int HOLD_MILLIS = 300;

    @Test
    @Timeout(240)
    void twoInstancesDeliverEachEventOnceBetweenThem() throws Exception {
        try (PostgresSchema schema = new PostgresSchema();
                IdeogramStandIn ideogram = new IdeogramStandIn();
                Receiver receiver = StandardWebhooksJs.receiver(SECRET, "200@" + HOLD_MILLIS, null)) {
            Map<String, String> env = new HashMap<>();
            env.put("STORE_JDBC_URL", schema.jdbcUrl());
            env.put("STORE_USERNAME", PostgresSchema.USER);
            env.put("IDEOGRAM_JWKS_URL", ideogram.jwksUrl());
            env.put("EVENTS_SIGNING_SECRET", SECRET);
            env.put("EVENTS_CALLBACK_ALLOW_HTTP", "true");
            env.put("EVENTS_CALLBACK_ALLOW_PRIVATE_HOSTS", "true");
            env.put("EVENTS_DISPATCH_INTERVAL_MILLIS", "100");
            env.put("EVENTS_DISPATCH_BATCH_SIZE", "5");
            EventRows rows = new EventRows(schema.jdbcUrl(), PostgresSchema.USER);
            try (BundleProcess a = BundleProcess.start(Files.createTempDirectory("events-two-a-"), env);
                    BundleProcess b = BundleProcess.start(Files.createTempDirectory("events-two-b-"), env)) {
                rows.submission("q-two", receiver.url("/hook"));
                for (int i = 0; i < EVENTS; i++) {
                    rows.event("evt_two_" + i, "q-two", Map.of(EventDestinations.CALLBACK_URL, Kind.CALLBACK));
                }
                awaitAllDelivered(rows, Duration.ofSeconds(90));

                List<Received> received = receiver.records();
                Map<String, Long> perEvent = received.stream()
                        .collect(Collectors.groupingBy(Received::id, Collectors.counting()));
                assertThat(perEvent).hasSize(EVENTS);
                assertThat(perEvent.values()).as("each event sent once").containsOnly(1L);
                assertThat(received).allSatisfy(r -> assertThat(r.verified()).as(r.reason()).isTrue());
                assertThat(List.of(a.log(), b.log()).stream().map(log -> count(log, "event delivery delivered")))
                        .as("both instances delivered some").allMatch(n -> n > 0);
            }
        }
    }

    private static void awaitAllDelivered(EventRows rows, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            int delivered = 0;
            try (var c = rows.connect(); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT COUNT(*) FROM event_delivery WHERE state = 'DELIVERED'")) {
                rs.next();
                delivered = rs.getInt(1);
            }
            if (delivered == EVENTS) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(delivered + " of " + EVENTS + " delivered within " + limit);
            }
            Thread.sleep(100);
        }
    }

    private static long count(java.nio.file.Path log, String text) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.contains(text)).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
