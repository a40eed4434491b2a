package io.ideogramcamel.webhook;

import java.net.http.HttpResponse;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook route on PostgreSQL (127.0.0.1:5432, database test), reached through a loopback
 * forwarder so the test can take the database away and give it back while the bundle runs.
 */
class WebhookReceivePostgresTest extends BundleTestSupport {

    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private TcpForwarder database;
    private String schema;

    @Override
    protected String storeJdbcUrl() throws Exception {
        schema = "webhook_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        database = new TcpForwarder(5432);
        properties.set("store.username", "postgres");
        return "jdbc:postgresql://127.0.0.1:" + database.port() + "/test?currentSchema=" + schema;
    }

    @AfterAll
    void dropSchema() throws Exception {
        database.close();
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void signedDeliveryIsCommittedInPostgres() throws Exception {
        String id = IdeogramStandIn.newGenerationId();

        HttpResponse<String> response = deliverSigned(id, 2);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"accepted\"}");
        // read back over a separate connection: the row is committed, not just in the writer's session
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement();
                var rows = s.executeQuery("SELECT state, source FROM " + schema + ".generation WHERE generation_id = '" + id + "'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("RECEIVED");
            assertThat(rows.getString(2)).isEqualTo("webhook");
        }
    }

    @Test
    void theApiAnswers503WhileTheStoreIsDownAndSendsNothing() throws Exception {
        database.close();
        try {
            HttpResponse<String> submit = Http.post(baseUrl() + "/generations", Map.of("Content-Type", "application/json"),
                    "{\"text_prompt\":\"while the store is down\"}".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> status = Http.get(baseUrl() + "/generations/" + IdeogramStandIn.newGenerationId());

            // api-url is Ideogram's real address, unreachable here: had it been tried, the answer
            // would have said queued, not 503
            assertThat(submit.statusCode()).isEqualTo(503);
            assertThat(submit.body()).isEqualTo("{\"error\":\"store_unavailable\"}");
            assertThat(status.statusCode()).isEqualTo(503);
            assertThat(status.body()).isEqualTo("{\"error\":\"store_unavailable\"}");
        } finally {
            database.open();
        }
        // the pool may first hand out connections cut by the outage: wait (bounded) until it serves
        HttpResponse<String> list = Http.get(baseUrl() + "/generations?state=queued");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (list.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            list = Http.get(baseUrl() + "/generations?state=queued");
        }
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).isEqualTo("{\"generations\":[]}");
    }

    @Test
    void storeDownAnswers503ThenTheSameDeliveryIsAcceptedWithoutRestart() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        database.close();
        try {
            HttpResponse<String> down = deliver(ideogram.sign(id, body), body);

            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).isEqualTo("{\"error\":\"store_unavailable\"}");
            assertThat(Http.get(baseUrl() + "/observe/health/ready").statusCode()).isEqualTo(503);
            assertThat(Http.get(baseUrl() + "/observe/health/live").statusCode()).isEqualTo(200);
        } finally {
            database.open();
        }

        // Ideogram's retries of the very same delivery: the pool may first hand out a connection
        // cut by the outage (503 again); the first 200 must be an accept, since the failed accept
        // left the id unmarked
        HttpResponse<String> retry = deliver(ideogram.sign(id, body), body);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (retry.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            retry = deliver(ideogram.sign(id, body), body);
        }

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo("{\"status\":\"accepted\"}");
        // the accept went through the writer's own connection; the read pool may still hand out one
        // connection cut by the outage (unavailable once), then reads work again
        assertThat(findWithin(id, 15)).isPresent();
        assertThat(Http.get(baseUrl() + "/observe/health/ready").statusCode()).isEqualTo(200);
    }

    private java.util.Optional<io.ideogramcamel.store.GenerationRecord> findWithin(String id, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                return store().find(id);
            } catch (io.ideogramcamel.store.StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
