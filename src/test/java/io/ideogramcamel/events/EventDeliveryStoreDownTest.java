package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ideogramcamel.events.EventDestinations.Kind;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A failed send whose record cannot be written (the store is away just then) must not leave the
 * delivery held by this instance's lease heartbeat: once the store is back the lease lapses and
 * the delivery is sent again. PostgreSQL (127.0.0.1:5432) behind a forwarder the test closes; the
 * receiver is a plain socket that cuts the first request (no answer) and accepts the next ones.
 */
@Timeout(180)
class EventDeliveryStoreDownTest extends BundleTestSupport {

    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private TcpForwarder database;
    private String schema;
    private ServerSocket receiver;
    private final CountDownLatch firstArrived = new CountDownLatch(1);
    private final CountDownLatch cutFirst = new CountDownLatch(1);
    private final AtomicInteger answered = new AtomicInteger();

    @Override
    protected String storeJdbcUrl() throws Exception {
        schema = "events_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        database = new TcpForwarder(5432);
        properties.set("store.username", "postgres");
        return "jdbc:postgresql://127.0.0.1:" + database.port() + "/test?currentSchema=" + schema;
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws Exception {
        receiver = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "test-callback-receiver");
        t.setDaemon(true);
        t.start();
        properties.set("events.signing-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .set("events.callback.allow-http", "true")
                .set("events.callback.allow-private-hosts", "true")
                .set("events.retry.initial-delay-seconds", "0")
                .set("events.retry.max-attempts", "5")
                .set("events.dispatch.interval-millis", "100")
                .set("events.delivery.lease-seconds", "2")
                .set("events.callback.timeout-millis", "3000");
    }

    @AfterAll
    void cleanUp() throws Exception {
        receiver.close();
        database.close();
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /* The first request is held until the test says, then cut without an answer; the rest get 200. */
    private void serve() {
        boolean first = true;
        while (!receiver.isClosed()) {
            try (Socket s = receiver.accept()) {
                readRequest(s.getInputStream());
                if (first) {
                    first = false;
                    firstArrived.countDown();
                    cutFirst.await(60, TimeUnit.SECONDS);
                    s.setSoLinger(true, 0); // a reset: the sender gets no answer at all
                    continue;
                }
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                answered.incrementAndGet();
            } catch (IOException e) {
                // closed at the end of the class, or the sender went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /* Headers up to the blank line, then Content-Length bytes of body. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.append((char) b);
        }
        int length = head.toString().lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                .map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1).strip())).findFirst().orElse(0);
        in.readNBytes(length);
    }

    @Test
    void aFailedSendThatCannotBeRecordedLeavesTheLeaseToLapseAndIsSentAgain() throws Exception {
        EventRows rows = new EventRows("jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema, "postgres");
        EventDeliveryLedger ledger = context().getRegistry().lookupByNameAndType("eventDeliveryLedger",
                EventDeliveryLedger.class);
        rows.submission("q-store-down", "http://127.0.0.1:" + receiver.getLocalPort() + "/hook");
        long id = rows.event("evt_store_down", "q-store-down", Map.of(EventDestinations.CALLBACK_URL, Kind.CALLBACK))[0];
        assertThat(firstArrived.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first request").isTrue();
        String owner = (String) rows.row(id).get("lease_owner");
        assertThat(ledger.isKeptAlive(owner)).isTrue();

        database.close();
        try (LogCapture log = LogCapture.of(EventDeliveries.class)) {
            cutFirst.countDown();
            // the send fails, and recording it fails too (the store is away): the attempt still ends
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ledger.isKeptAlive(owner) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(ledger.isKeptAlive(owner)).as("the heartbeat still renews the ended attempt's lease").isFalse();
            assertThat(log.lines()).anySatisfy(l -> assertThat(l)
                    .contains("event delivery attempt not recorded: store unavailable event_id=evt_store_down"));
        } finally {
            database.open();
        }

        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Object> row = rows.row(id);
        while (!"DELIVERED".equals(row.get("state")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            row = rows.row(id);
        }
        assertThat(row).containsEntry("state", "DELIVERED").containsEntry("last_status", 200);
        assertThat(answered.get()).isEqualTo(1);
    }
}
