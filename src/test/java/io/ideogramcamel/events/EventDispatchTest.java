package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.ideogramcamel.events.EventDestinations.Kind;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.StandardWebhooksJs;
import io.ideogramcamel.testing.StandardWebhooksJs.Receiver;
import io.ideogramcamel.testing.StandardWebhooksJs.Received;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatcher in the whole bundle against real receivers: a Node HTTP server that verifies every
 * callback with the npm standardwebhooks package and answers a scripted status sequence, RabbitMQ
 * over AMQP 1.0 (127.0.0.1:5672), a folder and a log. Retries run with no delay (initial 0) and at
 * most five attempts, so a whole schedule passes in a second or two. The outbox rows are written
 * here with plain JDBC, as the flows that change state would.
 */
@Timeout(180)
class EventDispatchTest extends BundleTestSupport {

    static final String SECRET = secret();
    static final String PREVIOUS_SECRET = secret();
    private static final int MAX_ATTEMPTS = 5;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String queue = "ideogram-events-test-" + UUID.randomUUID();
    private Path storeDir;
    private Path eventFolder;
    private Receiver global;
    private LogCapture everything;
    private EventRows rows;

    @Override
    protected String storeJdbcUrl() throws Exception {
        storeDir = Files.createTempDirectory("ideogram-events-");
        return "jdbc:h2:file:" + storeDir.resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws Exception {
        everything = LogCapture.of("");
        eventFolder = Files.createTempDirectory("ideogram-event-files-");
        // the global webhook's receiver holds only the previous secret: a rotation in progress
        global = StandardWebhooksJs.receiver(PREVIOUS_SECRET, "200", null);
        properties.set("events.destinations", "log:events-test?showHeaders=true,file:" + eventFolder
                + "?fileName=${header.IdeogramEventId}.json,amqp:queue:" + queue)
                .set("events.webhook-urls", global.url("/global?token=global-token"))
                .set("events.signing-secret", SECRET)
                .set("events.signing-secret-previous", PREVIOUS_SECRET)
                .set("events.callback.allow-http", "true")
                .set("events.callback.allow-private-hosts", "true")
                .set("events.retry.initial-delay-seconds", "0")
                .set("events.retry.max-delay-seconds", "3600")
                .set("events.retry.max-attempts", Integer.toString(MAX_ATTEMPTS))
                .set("events.dispatch.interval-millis", "100")
                .set("events.callback.timeout-millis", "3000");
    }

    @AfterAll
    void stopReceivers() {
        if (global != null) {
            global.close();
        }
        if (everything != null) {
            everything.close();
        }
    }

    private EventRows rows() {
        if (rows == null) {
            rows = new EventRows(storeJdbcUrlOfBundle(), "");
        }
        return rows;
    }

    private String storeJdbcUrlOfBundle() {
        return "jdbc:h2:file:" + storeDir.resolve("store") + ";WRITE_DELAY=0";
    }

    /** A submission whose callback_url is {@code url}, and an event about it delivered only there. */
    private long callbackDelivery(String eventId, String url) throws Exception {
        String queuedId = "q-" + eventId;
        rows().submission(queuedId, url);
        return rows().event(eventId, queuedId, Map.of(EventDestinations.CALLBACK_URL, Kind.CALLBACK))[0];
    }

    private Map<String, Object> awaitState(long deliveryId, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Object> row = rows().row(deliveryId);
        while (!state.equals(row.get("state"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("delivery " + deliveryId + " not " + state + " within " + WAIT + ": " + row);
            }
            Thread.sleep(50);
            row = rows().row(deliveryId);
        }
        return row;
    }

    @Test
    void aReceiverFailingThreeTimesGetsTheSameSignedEventUntilItTakesItOnce() throws Exception {
        try (Receiver receiver = StandardWebhooksJs.receiver(SECRET, "500,500,500,200", null)) {
            long id = callbackDelivery("evt_fault", receiver.url("/hook?token=caller-token"));

            Map<String, Object> row = awaitState(id, "DELIVERED");

            assertThat(row).containsEntry("attempts", 4).containsEntry("last_status", 200);
            List<Received> received = receiver.records();
            assertThat(received).hasSize(4);
            assertThat(received).extracting(Received::id).containsOnly("evt_fault");
            assertThat(received).allSatisfy(r -> {
                assertThat(r.verified()).as(r.reason()).isTrue();
                assertThat(r.body()).isEqualTo(EventRows.envelope("evt_fault", "generation.completed"));
                assertThat(r.contentType()).startsWith("application/json");
                assertThat(r.url()).isEqualTo("/hook?token=caller-token");
                // nothing of the exchange leaks: only the signature, the body's type and HTTP's own
                assertThat(r.headerNames()).allMatch(h -> h.startsWith("webhook-") || List.of("content-type",
                        "content-length", "host", "connection", "user-agent", "accept-encoding").contains(h), "header");
            });
            assertThat(received).extracting(Received::status).containsExactly("500", "500", "500", "200");
            // two signatures during the rotation: the new secret's first
            assertThat(received.get(0).signature()).matches("v1,\\S+ v1,\\S+");
        }
        String scrape = Http.get(baseUrl() + "/observe/metrics").body();
        // at least this test's own: other tests of the class may have run first
        assertThat(sample(scrape, "ideogram_events_delivered_total", "callback_url")).isGreaterThanOrEqualTo(1);
        assertThat(sample(scrape, "ideogram_events_retried_total", "callback_url")).isGreaterThanOrEqualTo(3);
        assertThat(sample(scrape, "ideogram_events_delivery_seconds_count", "callback_url")).isGreaterThanOrEqualTo(4);
        // every configured destination's series exists before its first event (pre-registered at 0)
        assertThat(sample(scrape, "ideogram_events_dead_total", EventDestinations.endpointName("log:events-test?showHeaders=true"))).isZero();
        assertThat(scrape).contains("ideogram_events_pending_deliveries ").contains("ideogram_events_dead_deliveries ");
    }

    @Test
    void aReceiverDownForTheWholeScheduleEndsDeadThenARedeliverReachesItOnceItIsBack() throws Exception {
        // the port stays bound (not listening: connections are refused) for the whole schedule, so
        // nothing else takes it; the receiver later listens on it with SO_REUSEADDR before it is let go
        try (Socket reserved = new Socket()) {
            reserved.setReuseAddress(true);
            reserved.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = reserved.getLocalPort();
            long id = callbackDelivery("evt_down", "http://127.0.0.1:" + port + "/hook");

            Map<String, Object> row = awaitState(id, "DEAD");

            assertThat(row).containsEntry("attempts", MAX_ATTEMPTS).containsEntry("last_error", "connection_failed");
            assertThat(row.get("last_status")).isNull();

            try (Receiver receiver = StandardWebhooksJs.receiver(SECRET, "200", null, port)) {
                reserved.close();
                HttpResponse<String> redeliver = Http.post(baseUrl() + "/events/evt_down/redeliver", Map.of(),
                        new byte[0]);

                assertThat(redeliver.statusCode()).as(redeliver.body()).isEqualTo(202);
                assertThat(awaitState(id, "DELIVERED")).containsEntry("last_status", 200);
                List<Received> received = receiver.awaitRecords(1, WAIT);
                assertThat(received).hasSize(1);
                assertThat(received.get(0).id()).isEqualTo("evt_down");
                assertThat(received.get(0).verified()).as(received.get(0).reason()).isTrue();
            }
        }
    }

    @Test
    void aReceiverDribblingItsAnswerDoesNotHoldTheAttempt() throws Exception {
        // only the status is used: the body, which never ends here, is not read
        try (Receiver receiver = StandardWebhooksJs.receiver(SECRET, "dribble", null)) {
            long id = callbackDelivery("evt_dribble", receiver.url("/hook"));

            Map<String, Object> row = awaitState(id, "DELIVERED");

            assertThat(row).containsEntry("attempts", 1).containsEntry("last_status", 200);
        }
    }

    @Test
    void goneStopsAfterOneAttempt() throws Exception {
        try (Receiver receiver = StandardWebhooksJs.receiver(SECRET, "410", null)) {
            long id = callbackDelivery("evt_gone", receiver.url("/hook"));

            Map<String, Object> row = awaitState(id, "DEAD");

            assertThat(row).containsEntry("attempts", 1).containsEntry("last_status", 410)
                    .containsEntry("last_error", "gone");
            assertThat(receiver.records()).hasSize(1);
        }
    }

    @Test
    void tooManyRequestsIsTriedAgainNoSoonerThanItsRetryAfter() throws Exception {
        try (Receiver receiver = StandardWebhooksJs.receiver(SECRET, "429", "120")) {
            long before = rows().databaseNow();
            long id = callbackDelivery("evt_429", receiver.url("/hook"));
            receiver.awaitRecords(1, WAIT);

            long deadline = System.nanoTime() + WAIT.toNanos();
            Map<String, Object> row = rows().row(id);
            while (!Integer.valueOf(1).equals(row.get("attempts")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                row = rows().row(id);
            }

            assertThat(row).containsEntry("state", "PENDING").containsEntry("attempts", 1)
                    .containsEntry("last_status", 429).containsEntry("last_error", "http_429");
            assertThat((Long) row.get("next_attempt_at")).isGreaterThanOrEqualTo(before + 120_000);
            assertThat(receiver.records()).hasSize(1);
        }
    }

    @Test
    void aGlobalWebhookIsSignedWithBothSecretsDuringARotation() throws Exception {
        String url = global.url("/global?token=global-token");
        long id = rows().delivery("evt_global", EventDestinations.webhookName(url), Kind.CALLBACK);

        awaitState(id, "DELIVERED");

        Received r = global.records().stream().filter(x -> "evt_global".equals(x.id())).findFirst().orElseThrow();
        assertThat(r.verified()).as(r.reason()).isTrue(); // with the previous secret alone
        assertThat(r.url()).isEqualTo("/global?token=global-token");
        assertThat((String) rows().row(id).get("destination")).doesNotContain("token");
    }

    @Test
    void logAndFileEndpointsGetTheEnvelopeWithTheEventHeaders() throws Exception {
        try (LogCapture log = LogCapture.of("events-test")) {
            long toLog = rows().delivery("evt_log", EventDestinations.endpointName("log:events-test?showHeaders=true"),
                    Kind.ENDPOINT);
            long toFile = rows().delivery("evt_file", EventDestinations.endpointName("file:" + eventFolder
                    + "?fileName=${header.IdeogramEventId}.json"), Kind.ENDPOINT);

            awaitState(toLog, "DELIVERED");
            awaitState(toFile, "DELIVERED");

            assertThat(Files.readString(eventFolder.resolve("evt_file.json"), StandardCharsets.UTF_8))
                    .isEqualTo(EventRows.envelope("evt_file", "generation.completed"));
            assertThat(log.lines()).anySatisfy(l -> assertThat(l).contains("IdeogramEventId=evt_log")
                    .contains("IdeogramEventType=generation.completed").contains("\"id\":\"evt_log\""));
        }
    }

    @Test
    void rabbitMqGetsTheEnvelopeWithTheEventHeadersOverAmqp() throws Exception {
        JmsConnectionFactory factory = new JmsConnectionFactory("amqp://127.0.0.1:5672");
        try (Connection connection = factory.createConnection("guest", "guest")) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            // a listener, not receive(timeout): RabbitMQ 3.10's AMQP 1.0 plugin fails on the drain that sends
            BlockingQueue<Message> arrived = new LinkedBlockingQueue<>();
            consumer.setMessageListener(arrived::add);
            long id = rows().delivery("evt_amqp", EventDestinations.endpointName("amqp:queue:" + queue), Kind.ENDPOINT);

            TextMessage message = (TextMessage) arrived.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            assertThat(message).as("a message on " + queue).isNotNull();
            assertThat(message.getText()).isEqualTo(EventRows.envelope("evt_amqp", "generation.completed"));
            assertThat(message.getStringProperty("IdeogramEventId")).isEqualTo("evt_amqp");
            assertThat(message.getStringProperty("IdeogramEventType")).isEqualTo("generation.completed");
            awaitState(id, "DELIVERED");
        }
    }

    @Test
    void aDestinationNoLongerConfiguredEndsDeadSayingSo() throws Exception {
        long id = rows().delivery("evt_gone_dest", "log://removed-since", Kind.ENDPOINT);

        Map<String, Object> row = awaitState(id, "DEAD");

        // retried like any failed attempt (another instance of a rolling deploy may know the name)
        assertThat(row).containsEntry("last_error", "destination_not_configured")
                .containsEntry("attempts", MAX_ATTEMPTS);
    }

    @Test
    void theSigningSecretsAndTheCallbackTokensAreNeverLogged() throws Exception {
        try (Receiver receiver = StandardWebhooksJs.receiver(SECRET, "500,200", null)) {
            long id = callbackDelivery("evt_quiet", receiver.url("/hook?token=quiet-caller-token"));
            awaitState(id, "DELIVERED");
        }
        // this test's own global delivery: the global webhook's URL (with its token) is used too
        long global = rows().delivery("evt_quiet_global",
                EventDestinations.webhookName(this.global.url("/global?token=global-token")), Kind.CALLBACK);
        awaitState(global, "DELIVERED");
        String rawSecret = SECRET.substring("whsec_".length());
        String rawPrevious = PREVIOUS_SECRET.substring("whsec_".length());
        assertThat(everything.lines()).isNotEmpty();
        assertThat(everything.lines()).noneMatch(l -> l.contains(rawSecret) || l.contains(rawPrevious)
                || l.contains("quiet-caller-token") || l.contains("global-token"));
    }

    /** The value of {@code name}'s series whose destination tag is {@code destination}. */
    private static double sample(String scrape, String name, String destination) {
        String tag = "destination=\"" + destination + "\"";
        return scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains(tag)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError("no " + name + " for " + destination));
    }

    private static String secret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

}
