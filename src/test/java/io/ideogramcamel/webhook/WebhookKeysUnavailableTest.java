package io.ideogramcamel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The bundle started while Ideogram's JWKS cannot be reached (nothing listens on its port): a
 * genuine delivery gets 503 keys_unavailable, so Ideogram retries it, instead of a 401 it would
 * take as final; once the JWKS is up, the retried delivery is accepted.
 */
class WebhookKeysUnavailableTest extends BundleTestSupport {

    private int jwksPort;
    private HttpServer jwks;

    @Override
    protected String storeJdbcUrl() throws Exception {
        Path dir = Files.createTempDirectory("ideogram-h2-");
        return "jdbc:h2:file:" + dir.resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws Exception {
        jwksPort = BundleProcess.freePort();
        properties.set("ideogram.jwks-url", "http://127.0.0.1:" + jwksPort + IdeogramStandIn.JWKS_PATH);
    }

    @AfterAll
    void stopJwks() {
        if (jwks != null) {
            jwks.stop(0);
        }
    }

    @Test
    void aDeliveryWhileNoKeysWereEverFetchedIs503AndIsAcceptedOnceTheJwksIsBack() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = ideogram.sign(id, body);

        HttpResponse<String> refused = deliver(headers, body);

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).isEqualTo("{\"error\":\"keys_unavailable\"}");
        assertThat(store().find(id)).isEmpty();
        assertThat(Http.get(baseUrl() + "/observe/metrics").body())
                .containsPattern("ideogram_webhook_rejected_total\\{[^}]*reason=\"keys_unavailable\"[^}]*\\} [1-9]");

        serveJwksOn(jwksPort);
        // Ideogram's retries: each attempt before the failed fetch's window lapses is 503 again
        HttpResponse<String> retried = refused;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MIN_REFETCH_SECONDS + 15);
        while (retried.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            retried = deliver(headers, body);
        }

        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(store().find(id)).isPresent();
    }

    /** The JWKS comes up where the bundle looks for it, serving the stand-in's keys. */
    private void serveJwksOn(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        jwks.createContext(IdeogramStandIn.JWKS_PATH, exchange -> {
            byte[] keys;
            try {
                keys = client.send(HttpRequest.newBuilder(java.net.URI.create(ideogram.jwksUrl()))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                keys = new byte[0];
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keys.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(keys);
            }
        });
        jwks.start();
    }
}
