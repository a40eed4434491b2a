package io.ideogramcamel.webhook;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runnable jar as a process, as a user runs it: configured by application.properties beside
 * it and by environment variables named by Camel's rule (CAMEL_SERVER_PORT included).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDurabilityIT {

    private IdeogramStandIn ideogram;

    @BeforeAll
    void startIdeogram() throws Exception {
        ideogram = new IdeogramStandIn();
    }

    @AfterAll
    void stopIdeogram() {
        ideogram.close();
    }

    /** The shipped default store (H2 file under data/): every 200 survives a kill -9 right after it. */
    @Test
    void everyAcceptedDeliverySurvivesKillMinus9RightAfterIts200() throws Exception {
        Path install = Files.createTempDirectory("ideogram-kill9-");
        BundleProcess bundle = BundleProcess.start(install, Map.of("IDEOGRAM_JWKS_URL", ideogram.jwksUrl()));
        List<String> accepted;
        try {
            accepted = deliverConcurrently(bundle.baseUrl() + "/webhooks/ideogram", 300);
            // the instant after the last 200
            bundle.kill9();
        } finally {
            bundle.close();
        }

        assertThat(accepted).hasSize(300);
        assertRowsReceived("jdbc:h2:file:" + install.resolve("data/ideogram"), accepted);
    }

    /** Settings from the environment override application.properties by Camel's naming rule. */
    @Test
    void environmentVariablesOverrideTheSettings() throws Exception {
        Path install = Files.createTempDirectory("ideogram-env-");
        Path elsewhere = Files.createTempDirectory("ideogram-env-store-");
        String jdbcUrl = "jdbc:h2:file:" + elsewhere.resolve("store") + ";WRITE_DELAY=0";
        List<String> accepted;
        try (BundleProcess bundle = BundleProcess.start(install, Map.of(
                "IDEOGRAM_JWKS_URL", ideogram.jwksUrl(),
                "STORE_JDBC_URL", jdbcUrl,
                "IDEOGRAM_WEBHOOK_PATH", "/hooks/from-ideogram"))) {
            // CAMEL_SERVER_PORT and CAMEL_SERVER_HOST were set by BundleProcess: it answers there
            assertThat(Http.post(bundle.baseUrl() + "/webhooks/ideogram", Map.of(), new byte[0]).statusCode())
                    .isEqualTo(404);
            accepted = deliverConcurrently(bundle.baseUrl() + "/hooks/from-ideogram", 3);
        }

        assertThat(accepted).hasSize(3);
        assertRowsReceived(jdbcUrl, accepted);
        assertThat(install.resolve("data/ideogram.mv.db")).doesNotExist();
    }

    private List<String> deliverConcurrently(String url, int deliveries) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                answers.add(senders.submit(() -> {
                    String id = IdeogramStandIn.newGenerationId();
                    byte[] body = IdeogramStandIn.deliveryBody(id, 2);
                    HttpResponse<String> r = Http.post(url, ideogram.sign(id, body), body);
                    return r.statusCode() == 200 && r.body().contains("accepted") ? id : null;
                }));
            }
            List<String> accepted = new ArrayList<>();
            for (Future<String> answer : answers) {
                String id = answer.get(60, TimeUnit.SECONDS);
                if (id != null) {
                    accepted.add(id);
                }
            }
            return accepted;
        } finally {
            senders.shutdownNow();
        }
    }

    private static void assertRowsReceived(String jdbcUrl, List<String> ids) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
                PreparedStatement q = c.prepareStatement("SELECT state FROM generation WHERE generation_id = ?")) {
            for (String id : ids) {
                q.setString(1, id);
                try (ResultSet row = q.executeQuery()) {
                    assertThat(row.next()).as("row for %s", id).isTrue();
                    assertThat(row.getString(1)).isEqualTo("RECEIVED");
                }
            }
        }
    }
}
