package io.ideogramcamel.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands where Ideogram's webhook_url points and hands every delivery, byte for byte with its
 * signature headers, to two different live bundle instances at once, as a load balancer that
 * retries on another replica (or a replayed delivery) would. It answers 200 when at least one
 * instance took it and 503 otherwise, so the stand-in retries exactly when no instance recorded it.
 */
final class WebhookFanOut implements AutoCloseable {

    /** One delivery and what each of its two targets answered (-1: no answer). */
    record Delivery(String generationId, int[] targets, int[] statuses) {

        boolean bothAccepted() {
            return ok(statuses[0]) && ok(statuses[1]);
        }

        boolean anyAccepted() {
            return ok(statuses[0]) || ok(statuses[1]);
        }

        private static boolean ok(int status) {
            return status >= 200 && status < 300;
        }

        @Override
        public String toString() {
            return generationId + " to " + targets[0] + "," + targets[1] + ": " + statuses[0] + "," + statuses[1];
        }
    }

    /*
     * Generous: in the first seconds five JVMs warm up on two cores and an answer can take seconds;
     * a copy given up on would count as not delivered. Below the stand-in's own webhook timeout.
     */
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(32);
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final String path;
    private final AtomicInteger rotation = new AtomicInteger();
    private final List<Delivery> deliveries = new ArrayList<>();
    /** Instance number to base URL; replaced as a whole when an instance is taken out. */
    private volatile Map<Integer, String> targets = Map.of();

    WebhookFanOut(String path) throws IOException {
        this.path = path;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(threads);
        server.createContext(path, this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void targets(Map<Integer, String> liveInstances) {
        if (liveInstances.size() < 2) {
            throw new IllegalArgumentException("two different instances are needed");
        }
        targets = Map.copyOf(liveInstances);
    }

    synchronized List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            List<Integer> live = new ArrayList<>(targets.keySet());
            live.sort(null);
            // consecutive pairs of the live instances, so every pair (and every instance) gets a share
            int k = Math.floorMod(rotation.getAndIncrement(), live.size());
            int[] chosen = {live.get(k), live.get((k + 1) % live.size())};
            Map<Integer, String> urls = targets;
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int target : chosen) {
                answers.add(forward(exchange, urls.getOrDefault(target, "http://127.0.0.1:1"), body));
            }
            int[] statuses = {answers.get(0).join(), answers.get(1).join()};
            Delivery delivery = new Delivery(
                    exchange.getRequestHeaders().getFirst("X-Ideogram-Webhook-Generation-Id"), chosen, statuses);
            synchronized (this) {
                deliveries.add(delivery);
            }
            byte[] answer = delivery.anyAccepted() ? "{\"status\":\"accepted\"}".getBytes()
                    : "{\"error\":\"no_instance_accepted\"}".getBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(delivery.anyAccepted() ? 200 : 503, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private CompletableFuture<Integer> forward(HttpExchange exchange, String baseUrl, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(FORWARD_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-type") || lower.startsWith("x-ideogram-webhook-")) {
                values.forEach(value -> request.header(name, value));
            }
        });
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode)
                .exceptionally(failure -> -1);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
