package io.ideogramcamel.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.Test;

/**
 * The server listens before Camel's routes exist and after they go: in those windows a request is
 * answered 503 {"error":"starting"} with Retry-After, never handed to the (empty) router, whose 404 a
 * webhook sender could take for a wrong URL. A real Vert.x server on loopback, made the way the
 * platform-http server makes it (through HttpServerLimits' Vert.x instance).
 */
class ServingGateTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void requestsReachTheRoutesOnlyBetweenCamelsStartAndItsStop() throws Exception {
        ServingSwitch serving = new ServingSwitch();
        HttpServerLimits limits = new HttpServerLimits();
        limits.setServingSwitch(serving);
        Vertx vertx = limits.vertx();
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(request -> request.response().setStatusCode(200).end("routed"));
            int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).actualPort();

            HttpResponse<String> starting = post(port);
            assertThat(starting.statusCode()).isEqualTo(503);
            assertThat(starting.body()).isEqualTo("{\"error\":\"starting\"}");
            assertThat(starting.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(starting.headers().firstValue("Content-Type")).hasValue("application/json");

            serving.onContextStarted(null);
            assertThat(post(port).body()).isEqualTo("routed");

            serving.onContextStopping(null);
            assertThat(post(port).statusCode()).isEqualTo(503);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutASwitchEveryRequestReachesTheRoutes() throws Exception {
        Vertx vertx = new HttpServerLimits().vertx();
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(request -> request.response().setStatusCode(200).end("routed"));
            int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).actualPort();
            assertThat(post(port).body()).isEqualTo("routed");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> post(int port) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/ideogram"))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
