package io.ideogramcamel.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Test;

/**
 * The server listens before Camel's routes exist and after they go. A request that comes while they
 * start waits for them and is then routed with its body whole; one that waits longer than the hold,
 * or comes after the stop, is answered 503 {"error":"starting"} with Retry-After, never handed to the
 * (empty) router, whose 404 a webhook sender could take for a wrong URL. A real Vert.x server on
 * loopback, made the way the platform-http server makes it (through HttpServerLimits' Vert.x instance).
 */
class ServingGateTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aRequestDuringTheStartWaitsForTheRoutesAndReachesThemWithItsBody() throws Exception {
        try (GatedServer server = GatedServer.start(10_000L)) {
            ServingSwitch serving = server.serving();
            int port = server.port();
            String body = "{\"generation_id\":\"" + "x".repeat(100_000) + "\"}";
            CompletableFuture<HttpResponse<String>> held = postAsync(port, body);
            // still starting: nothing is answered yet
            Thread.sleep(300);
            assertThat(held).isNotDone();

            serving.onContextStarted(null);
            HttpResponse<String> routed = held.get(10, TimeUnit.SECONDS);
            assertThat(routed.statusCode()).isEqualTo(200);
            assertThat(routed.body()).isEqualTo("routed " + body.length());
            assertThat(postAsync(port, "{}").get(10, TimeUnit.SECONDS).body()).isEqualTo("routed 2");

            serving.onContextStopping(null);
            assertStarting503(postAsync(port, "{}").get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aStartThatOutlastsTheHoldIsAnswered503() throws Exception {
        try (GatedServer server = GatedServer.start(200L)) {
            int port = server.port();
            long start = System.nanoTime();
            assertStarting503(postAsync(port, "{}").get(10, TimeUnit.SECONDS));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void withoutAHoldARequestDuringTheStartIsAnswered503AtOnce() throws Exception {
        try (GatedServer server = GatedServer.start(0L)) {
            ServingSwitch serving = server.serving();
            int port = server.port();
            assertStarting503(postAsync(port, "{}").get(10, TimeUnit.SECONDS));
            serving.onContextStarted(null);
            assertThat(postAsync(port, "{}").get(10, TimeUnit.SECONDS).body()).isEqualTo("routed 2");
        }
    }

    @Test
    void withoutASwitchEveryRequestReachesTheRoutes() throws Exception {
        try (GatedServer server = GatedServer.start(null)) {
            int port = server.port();
            assertThat(postAsync(port, "{}").get(10, TimeUnit.SECONDS).body()).isEqualTo("routed 2");
        }
    }

    /** An echo server behind the gate, on loopback; holdMillis null: no switch at all. */
    private record GatedServer(ServingSwitch serving, Vertx vertx, int port) implements AutoCloseable {

        static GatedServer start(Long holdMillis) throws Exception {
            HttpServerLimits limits = new HttpServerLimits();
            ServingSwitch serving = null;
            if (holdMillis != null) {
                serving = new ServingSwitch();
                limits.setServingSwitch(serving);
                limits.setStartHoldMillis(holdMillis);
            }
            Vertx vertx = limits.vertx();
            return new GatedServer(serving, vertx, echoServer(vertx));
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /* Reads the whole body the way a router's body handler does, and says how much arrived. */
    private static int echoServer(Vertx vertx) throws Exception {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body()
                .onSuccess(body -> request.response().setStatusCode(200).end("routed " + body.length()))
                .onFailure(e -> request.response().setStatusCode(500).end("body lost")));
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS).actualPort();
    }

    private static void assertStarting503(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("{\"error\":\"starting\"}");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    private static CompletableFuture<HttpResponse<String>> postAsync(int port, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/ideogram"))
                .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
