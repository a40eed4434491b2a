package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.ideogramcamel.events.EventDestinations.Kind;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.StandardWebhooksJs;
import io.ideogramcamel.testing.StandardWebhooksJs.Receiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default policy (private hosts refused) and no signing secret: a caller's callback_url on this
 * machine is never called, and a callback that could be sent is never sent unsigned; both end dead
 * at once with a token saying why.
 */
@Timeout(120)
class EventCallbackRefusalsTest extends BundleTestSupport {

    private Path storeDir;

    @Override
    protected String storeJdbcUrl() throws Exception {
        storeDir = Files.createTempDirectory("ideogram-events-refusals-");
        return "jdbc:h2:file:" + storeDir.resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("events.callback.allow-http", "true").set("events.dispatch.interval-millis", "100");
    }

    private EventRows rows() {
        return new EventRows("jdbc:h2:file:" + storeDir.resolve("store") + ";WRITE_DELAY=0", "");
    }

    private Map<String, Object> awaitEnded(long id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, Object> row = rows().row(id);
        while ("PENDING".equals(row.get("state")) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            row = rows().row(id);
        }
        return row;
    }

    @Test
    void aCallbackToThisMachineIsRefusedAndNeverCalled() throws Exception {
        try (Receiver receiver = StandardWebhooksJs.receiver("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "200", null)) {
            rows().submission("q-local", receiver.url("/hook"));
            long id = rows().event("evt_local", "q-local", Map.of(EventDestinations.CALLBACK_URL, Kind.CALLBACK))[0];

            assertThat(awaitEnded(id)).containsEntry("state", "DEAD").containsEntry("last_error", "callback_host_refused")
                    .containsEntry("attempts", 1);
            assertThat(receiver.records()).isEmpty();
        }
    }

    @Test
    void withoutASigningSecretACallbackEndsDeadUnsent() throws Exception {
        // a public address literal (TEST-NET-1, never reached): allowed by the policy, so only the missing secret stops it
        rows().submission("q-public", "https://192.0.2.1/hook");
        long id = rows().event("evt_unsigned", "q-public", Map.of(EventDestinations.CALLBACK_URL, Kind.CALLBACK))[0];

        Map<String, Object> row = awaitEnded(id);

        assertThat(row).containsEntry("state", "DEAD").containsEntry("last_error", "signing_secret_missing");
        assertThat(row.get("last_status")).isNull();
    }
}
