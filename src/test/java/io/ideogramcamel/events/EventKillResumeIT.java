package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * At-least-once across a crash: the jar is killed with kill -9 while a callback receiver holds its
 * request open, then restarted as the same instance. The restarted run releases the delivery its
 * dead run held (without waiting out the lease, far longer than this test allows) and delivers it,
 * with the same webhook-id, verified by the npm standardwebhooks package both times.
 */
class EventKillResumeIT {

    private static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "kill-resume-test-secret-32-bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    @Test
    @Timeout(240)
    void aDeliveryInterruptedByKillNineIsDeliveredAfterTheRestartWithTheSameEventId() throws Exception {
        Path install = Files.createTempDirectory("events-kill-resume-");
        try (PostgresSchema schema = new PostgresSchema();
                IdeogramStandIn ideogram = new IdeogramStandIn();
                Receiver receiver = StandardWebhooksJs.receiver(SECRET, "hold,200", null)) {
            Map<String, String> env = new HashMap<>();
            env.put("STORE_JDBC_URL", schema.jdbcUrl());
            env.put("STORE_USERNAME", PostgresSchema.USER);
            env.put("IDEOGRAM_JWKS_URL", ideogram.jwksUrl());
            env.put("EVENTS_SIGNING_SECRET", SECRET);
            env.put("EVENTS_CALLBACK_ALLOW_HTTP", "true");
            env.put("EVENTS_CALLBACK_ALLOW_PRIVATE_HOSTS", "true");
            env.put("EVENTS_DISPATCH_INTERVAL_MILLIS", "200");
            // the held request is never timed out, and waiting out the lease would take longer than the test
            env.put("EVENTS_CALLBACK_TIMEOUT_MILLIS", "600000");
            env.put("EVENTS_DELIVERY_LEASE_SECONDS", "600");
            EventRows rows = new EventRows(schema.jdbcUrl(), PostgresSchema.USER);
            long id;
            try (BundleProcess bundle = BundleProcess.start(install, env)) {
                rows.submission("q-kill", receiver.url("/hook"));
                id = rows.event("evt_kill", "q-kill", Map.of(EventDestinations.CALLBACK_URL, Kind.CALLBACK))[0];
                receiver.awaitRecords(1, Duration.ofSeconds(60));
                assertThat(rows.row(id)).containsEntry("state", "PENDING");
                assertThat(rows.row(id).get("lease_owner")).as("held while the send runs").isNotNull();
                bundle.kill9();
            }

            try (BundleProcess restarted = BundleProcess.start(install, env)) {
                Map<String, Object> row = awaitDelivered(rows, id, Duration.ofSeconds(90));
                assertThat(row).containsEntry("last_status", 200);
            }
            List<Received> received = receiver.records();
            assertThat(received).hasSize(2);
            assertThat(received).extracting(Received::id).containsOnly("evt_kill");
            assertThat(received).allSatisfy(r -> assertThat(r.verified()).as(r.reason()).isTrue());
            assertThat(Files.readString(install.resolve("bundle.log")))
                    .contains("released 1 EventDeliveryLedger lease(s) its previous run held");
        }
    }

    private static Map<String, Object> awaitDelivered(EventRows rows, long id, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Map<String, Object> row = rows.row(id);
        while (!"DELIVERED".equals(row.get("state"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not delivered within " + limit + ": " + row);
            }
            Thread.sleep(100);
            row = rows.row(id);
        }
        return row;
    }
}
