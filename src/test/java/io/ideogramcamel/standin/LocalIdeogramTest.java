package io.ideogramcamel.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.signature.Ed25519WebhookVerifier;
import io.ideogramcamel.signature.JwksKeySource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LocalIdeogramTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static CamelContext camel;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private WebhookReceiver receiver;

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    @BeforeEach
    void receiver() throws IOException {
        receiver = open(new WebhookReceiver());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void servesOneEd25519KeyAsAJwks() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.start());

        HttpResponse<String> response = get(ideogram.jwksUrl(), null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode key = JSON.readTree(response.body()).path("keys").get(0);
        assertThat(key.path("kty").asText()).isEqualTo("OKP");
        assertThat(key.path("crv").asText()).isEqualTo("Ed25519");
        assertThat(key.path("use").asText()).isEqualTo("sig");
        assertThat(key.path("alg").asText()).isEqualTo("EdDSA");
        assertThat(key.path("kid").asText()).isEqualTo(ideogram.keyId());
        assertThat(key.path("x").asText()).doesNotContain("=", "+", "/");
        assertThat(Base64.getUrlDecoder().decode(key.path("x").asText())).hasSize(32);
        assertThat(ideogram.baseUrl()).startsWith("http://127.0.0.1:");
    }

    @Test
    void aGenerationCompletesWithASignedWebhookThatTheBundleVerifiesAndARealPng() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(200).start());

        HttpResponse<String> submitted = submit(ideogram, receiver.url(),
                "{\"text_prompt\":\"a red fox in the snow\",\"resolution\":\"1280x720\",\"seed\":42,\"num_images\":2,\"rendering_speed\":\"TURBO\"}");

        assertThat(submitted.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(submitted.body());
        assertThat(answer.size()).isEqualTo(1);
        String id = answer.path("generation_id").asText();
        assertThat(id).matches("[A-Za-z0-9_-]{22,}");
        assertThat(ideogram.generationIds()).containsExactly(id);

        Delivery delivery = receiver.awaitDeliveries(1).get(0);
        assertThat(delivery.headers()).containsEntry(WebhookSigner.GENERATION_ID_HEADER, id)
                .containsEntry(WebhookSigner.USER_ID_HEADER, ideogram.userId())
                .containsEntry(WebhookSigner.KEY_ID_HEADER, ideogram.keyId());
        assertThat(delivery.headers().get(WebhookSigner.SIGNATURE_HEADER)).matches("[0-9a-f]{128}");
        assertThat(Long.parseLong(delivery.headers().get(WebhookSigner.TIMESTAMP_HEADER)))
                .isCloseTo(System.currentTimeMillis() / 1000, within(30L));
        assertThat(verify(ideogram, delivery)).isEqualTo(id);

        JsonNode body = JSON.readTree(delivery.body());
        assertThat(body.path("generation_id").asText()).isEqualTo(id);
        assertThat(body.path("created").asText()).isNotEmpty();
        JsonNode data = body.path("data");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).path("prompt").asText()).isEqualTo("a red fox in the snow");
        assertThat(data.get(0).path("resolution").asText()).isEqualTo("1280x720");
        assertThat(data.get(0).path("seed").asLong()).isEqualTo(42);
        assertThat(data.get(1).path("seed").asLong()).isEqualTo(43);
        assertThat(data.get(0).path("is_image_safe").asBoolean()).isTrue();

        String url = data.get(1).path("url").asText();
        assertThat(url).startsWith(ideogram.baseUrl() + "/images/" + id + "/1.png?exp=");
        HttpResponse<byte[]> image = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(image.body()));
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isEqualTo(PngRenderer.WIDTH);
        assertThat(png.getHeight()).isEqualTo(PngRenderer.WIDTH * 720 / 1280);
        assertThat(ideogram.imageFetches(id, 1)).isEqualTo(1);
        assertThat(ideogram.imageFetches(id, 0)).isZero();

        assertThat(ideogram.webhookAttempts(id)).singleElement()
                .satisfies(attempt -> assertThat(attempt.status()).isEqualTo(200));
        JsonNode poll = JSON.readTree(poll(ideogram, id).body());
        assertThat(poll.path("status").asText()).isEqualTo("completed");
        assertThat(poll.path("response_type").asText()).isEqualTo("url");
        assertThat(poll.path("created").asText()).isEqualTo(body.path("created").asText());
        assertThat(poll.path("data")).isEqualTo(data);
    }

    @Test
    void pollsShowPendingThenCompletedAndRefuseUnknownIdsAndWrongKeys() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(700).start());
        String id = idOf(submit(ideogram, null, "{\"json_prompt\":{\"subject\":\"a lighthouse\"}}"));

        JsonNode pending = JSON.readTree(poll(ideogram, id).body());
        assertThat(pending.path("generation_id").asText()).isEqualTo(id);
        assertThat(pending.path("status").asText()).isEqualTo("pending");
        assertThat(pending.path("created").asText()).isNotEmpty();
        assertThat(pending.has("data")).isFalse();
        assertThat(pending.has("response_type")).isFalse();

        await(() -> "completed".equals(ideogram.status(id)));
        JsonNode done = JSON.readTree(poll(ideogram, id).body());
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("data").get(0).path("prompt").asText()).isEqualTo("{\"subject\":\"a lighthouse\"}");

        assertThat(poll(ideogram, "bm8tc3VjaC1pZA").statusCode()).isEqualTo(404);
        HttpResponse<String> wrongKey = get(ideogram.baseUrl() + "/v1/generations/" + id, "not-the-key");
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrongKey.body()).path("error").asText()).isNotEmpty();
        assertThat(ideogram.pollCount(id)).isEqualTo(2);
        assertThat(ideogram.webhookAttempts()).isEmpty();
    }

    @Test
    void submitsWithoutTheKeyOrWithABadBodyCreateNothing() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.start());

        HttpResponse<String> noKey = post(ideogram.generateUrl(), "wrong", "{\"text_prompt\":\"x\"}");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(noKey.body()).path("error").asText()).isNotEmpty();
        for (String body : List.of("{}", "{\"text_prompt\":\"a\",\"json_prompt\":{\"a\":1}}", "{\"text_prompt\":\"a\",\"num_images\":9}",
                "{\"text_prompt\":\"a\",\"num_images\":0}", "{\"text_prompt\":\"a\",\"rendering_speed\":\"WARP\"}",
                "{\"text_prompt\":\"a\",\"resolution\":\"big\"}", "not json")) {
            HttpResponse<String> refused = submit(ideogram, null, body);
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).path("error").asText()).as(body).isNotEmpty();
        }
        assertThat(ideogram.generationIds()).isEmpty();
        assertThat(ideogram.submitCalls()).isEqualTo(8);
    }

    @Test
    void imagesOverTheInflightBudgetGet429UntilAGenerationFinishes() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().maxInflightImages(4).completionDelayMillis(800).start());

        assertThat(submit(ideogram, null, "{\"text_prompt\":\"one\",\"num_images\":3}").statusCode()).isEqualTo(200);
        HttpResponse<String> over = submit(ideogram, null, "{\"text_prompt\":\"two\",\"num_images\":2}");

        assertThat(over.statusCode()).isEqualTo(429);
        JsonNode refusal = JSON.readTree(over.body());
        assertThat(refusal.path("reject_reason").asText()).isEqualTo("inflight_limit");
        assertThat(refusal.path("max_inflight_requests").asInt()).isEqualTo(4);
        assertThat(refusal.path("error").asText()).isNotEmpty();
        assertThat(submit(ideogram, null, "{\"text_prompt\":\"three\",\"num_images\":1}").statusCode()).isEqualTo(200);
        assertThat(ideogram.generationIds()).hasSize(2);
        assertThat(ideogram.maxInflightImagesSeen()).isEqualTo(4);

        await(() -> ideogram.inflightImages() == 0);
        assertThat(submit(ideogram, null, "{\"text_prompt\":\"two\",\"num_images\":2}").statusCode()).isEqualTo(200);
        assertThat(ideogram.maxInflightImagesSeen()).isEqualTo(4);
    }

    @Test
    void dropWebhookCompletesButOnlyPollingFindsIt() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(100).start());
        String dropped = idOf(submit(ideogram, receiver.url(), "{\"text_prompt\":\"a cat #drop-webhook\"}"));
        String control = idOf(submit(ideogram, receiver.url(), "{\"text_prompt\":\"a cat\"}"));

        receiver.awaitDeliveries(1);
        await(() -> "completed".equals(ideogram.status(dropped)));

        assertThat(JSON.readTree(poll(ideogram, dropped).body()).path("status").asText()).isEqualTo("completed");
        assertThat(receiver.deliveries()).extracting(d -> d.headers().get(WebhookSigner.GENERATION_ID_HEADER)).containsExactly(control);
        assertThat(ideogram.webhookAttempts(dropped)).isEmpty();
    }

    @Test
    void failMakesTheGenerationFailWithAReasonAndNoWebhook() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(100).start());
        String failed = idOf(submit(ideogram, receiver.url(), "{\"text_prompt\":\"#fail a dog\",\"num_images\":2}"));
        String control = idOf(submit(ideogram, receiver.url(), "{\"text_prompt\":\"a dog\"}"));

        receiver.awaitDeliveries(1);
        await(() -> "failed".equals(ideogram.status(failed)));

        JsonNode poll = JSON.readTree(poll(ideogram, failed).body());
        assertThat(poll.path("status").asText()).isEqualTo("failed");
        assertThat(poll.path("failure_reason").asText()).isNotEmpty();
        assertThat(poll.has("data")).isFalse();
        assertThat(receiver.deliveries()).extracting(d -> d.headers().get(WebhookSigner.GENERATION_ID_HEADER)).containsExactly(control);
        assertThat(ideogram.inflightImages()).isZero();
    }

    @Test
    void unsafeMakesImageZeroUnsafeWithoutAUrl() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(100).start());
        String id = idOf(submit(ideogram, receiver.url(), "{\"text_prompt\":\"a boat #unsafe\",\"num_images\":2}"));

        Delivery delivery = receiver.awaitDeliveries(1).get(0);

        assertThat(verify(ideogram, delivery)).isEqualTo(id);
        JsonNode data = JSON.readTree(delivery.body()).path("data");
        assertThat(data.get(0).path("is_image_safe").asBoolean()).isFalse();
        assertThat(data.get(0).get("url").isNull()).isTrue();
        assertThat(data.get(1).path("is_image_safe").asBoolean()).isTrue();
        assertThat(get(data.get(1).path("url").asText(), null).statusCode()).isEqualTo(200);
        assertThat(get(ideogram.baseUrl() + "/images/" + id + "/0.png", null).statusCode()).isEqualTo(404);
    }

    @Test
    void noFundsAndUnsafePromptAreRefusedAndCreateNothing() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.start());

        HttpResponse<String> noFunds = submit(ideogram, receiver.url(), "{\"text_prompt\":\"a horse #no-funds\"}");
        HttpResponse<String> unsafe = submit(ideogram, receiver.url(), "{\"text_prompt\":\"a horse #unsafe-prompt\"}");

        assertThat(noFunds.statusCode()).isEqualTo(402);
        assertThat(JSON.readTree(noFunds.body()).path("reject_reason").asText()).isEqualTo("insufficient_funds");
        assertThat(JSON.readTree(noFunds.body()).path("error").asText()).isNotEmpty();
        assertThat(unsafe.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(unsafe.body()).path("error").asText()).isNotEmpty();
        assertThat(ideogram.generationIds()).isEmpty();
        assertThat(ideogram.inflightImages()).isZero();
    }

    @Test
    void rateLimitedSubmitsAndPollsCarryRetryAfter() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.start());
        ideogram.rejectNextSubmits(2, 7);

        for (int i = 0; i < 2; i++) {
            HttpResponse<String> limited = submit(ideogram, null, "{\"text_prompt\":\"x\"}");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("7");
            assertThat(JSON.readTree(limited.body()).path("error").asText()).isNotEmpty();
        }
        assertThat(ideogram.generationIds()).isEmpty();
        String id = idOf(submit(ideogram, null, "{\"text_prompt\":\"x\"}"));

        ideogram.rejectNextPolls(1, 3);
        HttpResponse<String> limitedPoll = poll(ideogram, id);
        assertThat(limitedPoll.statusCode()).isEqualTo(429);
        assertThat(limitedPoll.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(poll(ideogram, id).statusCode()).isEqualTo(200);
        assertThat(ideogram.submitCalls()).isEqualTo(3);
        assertThat(ideogram.pollCount(id)).isEqualTo(2);
    }

    @Test
    void aLateSubmitAnswerLeavesTheClientTimedOutButTheGenerationCreated() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(100).start());
        ideogram.delayNextSubmitAnswers(1, Duration.ofSeconds(3));

        HttpRequest impatient = HttpRequest.newBuilder(URI.create(ideogram.generateUrl()))
                .timeout(Duration.ofMillis(500))
                .header("Api-Key", ideogram.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text_prompt\":\"a slow owl\"}"))
                .build();
        assertThatThrownBy(() -> HTTP.send(impatient, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(ideogram.generationIds()).hasSize(1);
        String id = ideogram.generationIds().get(0);
        await(() -> "completed".equals(ideogram.status(id)));
        assertThat(submit(ideogram, null, "{\"text_prompt\":\"a quick owl\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void overlappingPollsOfOneIdAreSeen() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().pollResponseDelay(Duration.ofMillis(400)).start());
        String id = idOf(submit(ideogram, null, "{\"text_prompt\":\"x\"}"));
        String other = idOf(submit(ideogram, null, "{\"text_prompt\":\"y\"}"));

        poll(ideogram, id);
        poll(ideogram, id);
        assertThat(ideogram.maxConcurrentPollsOfOneId()).isEqualTo(1);

        ExecutorService pollers = Executors.newFixedThreadPool(3);
        try {
            List<Future<HttpResponse<String>>> answers = List.of(
                    pollers.submit(() -> poll(ideogram, other)),
                    pollers.submit(() -> poll(ideogram, id)),
                    pollers.submit(() -> poll(ideogram, id)));
            for (Future<HttpResponse<String>> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        } finally {
            pollers.shutdownNow();
        }
        assertThat(ideogram.maxConcurrentPollsOfOneId()).isEqualTo(2);
        assertThat(ideogram.pollCounts()).containsEntry(id, 4).containsEntry(other, 1);
    }

    @Test
    void aWebhookAnswered503IsRetriedAndEachAttemptIsFreshlySigned() throws Exception {
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(100)
                .webhookRetryInterval(Duration.ofMillis(1100)).start());
        receiver.answer(503, 503);

        String id = idOf(submit(ideogram, receiver.url(), "{\"text_prompt\":\"a heron\"}"));
        List<Delivery> deliveries = receiver.awaitDeliveries(3);

        assertThat(ideogram.webhookAttempts(id)).extracting(WebhookAttempt::status).containsExactly(503, 503, 200);
        assertThat(ideogram.webhookAttempts(id)).extracting(WebhookAttempt::attempt).containsExactly(1, 2, 3);
        for (Delivery delivery : deliveries) {
            assertThat(verify(ideogram, delivery)).isEqualTo(id);
        }
        assertThat(deliveries).extracting(d -> d.headers().get(WebhookSigner.TIMESTAMP_HEADER)).doesNotHaveDuplicates();
        assertThat(deliveries).extracting(Delivery::body).allSatisfy(body -> assertThat(body).isEqualTo(deliveries.get(0).body()));
    }

    @Test
    void anUnreachableWebhookIsTriedTheConfiguredNumberOfTimes() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        LocalIdeogram ideogram = open(LocalIdeogram.builder().completionDelayMillis(50).webhookAttempts(2)
                .webhookRetryInterval(Duration.ofMillis(100)).start());

        String id = idOf(submit(ideogram, "http://127.0.0.1:" + closedPort + "/hook", "{\"text_prompt\":\"x\"}"));

        await(() -> ideogram.webhookAttempts(id).size() == 2);
        assertThat(ideogram.webhookAttempts(id)).allSatisfy(attempt -> {
            assertThat(attempt.status()).isEqualTo(WebhookAttempt.NO_RESPONSE);
            assertThat(attempt.error()).isNotEmpty();
            assertThat(attempt.delivered()).isFalse();
        });
        Thread.sleep(300);
        assertThat(ideogram.webhookAttempts(id)).hasSize(2);
    }

    @Test
    void theCommandLineTakesItsOptions() throws Exception {
        LocalIdeogram.Builder builder = StandInCommandLine.parse(new String[] {
                "--port", "0", "--api-key", "k", "--delay-millis", "10", "--max-inflight-images", "2"});
        LocalIdeogram ideogram = open(builder.start());

        assertThat(ideogram.apiKey()).isEqualTo("k");
        assertThat(submit(ideogram, null, "{\"text_prompt\":\"x\",\"num_images\":3}").statusCode()).isEqualTo(429);
        assertThatThrownBy(() -> StandInCommandLine.parse(new String[] {"--port"})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StandInCommandLine.parse(new String[] {"--colour", "red"})).isInstanceOf(IllegalArgumentException.class);
    }

    // --- helpers ---

    private String verify(LocalIdeogram ideogram, Delivery delivery) throws Exception {
        JwksKeySource keys = new JwksKeySource();
        keys.setJwksUrl(ideogram.jwksUrl());
        Ed25519WebhookVerifier verifier = new Ed25519WebhookVerifier();
        verifier.setKeySource(keys);
        Exchange exchange = new DefaultExchange(camel);
        for (String header : List.of(WebhookSigner.GENERATION_ID_HEADER, WebhookSigner.USER_ID_HEADER,
                WebhookSigner.TIMESTAMP_HEADER, WebhookSigner.KEY_ID_HEADER, WebhookSigner.SIGNATURE_HEADER)) {
            exchange.getMessage().setHeader(header, delivery.headers().get(header));
        }
        exchange.getMessage().setBody(delivery.body());
        verifier.process(exchange);
        return exchange.getProperty(GenerationExchange.GENERATION_ID, String.class);
    }

    private static String idOf(HttpResponse<String> submitted) throws IOException {
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(200);
        return JSON.readTree(submitted.body()).path("generation_id").asText();
    }

    private static HttpResponse<String> submit(LocalIdeogram ideogram, String webhookUrl, String body) {
        String url = ideogram.generateUrl()
                + (webhookUrl == null ? "" : "?webhook_url=" + URLEncoder.encode(webhookUrl, StandardCharsets.UTF_8));
        return post(url, ideogram.apiKey(), body);
    }

    private static HttpResponse<String> poll(LocalIdeogram ideogram, String id) {
        return get(ideogram.baseUrl() + "/v1/generations/" + id, ideogram.apiKey());
    }

    private static HttpResponse<String> post(String url, String apiKey, String body) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT)
                .header("Api-Key", apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> get(String url, String apiKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET();
        if (apiKey != null) {
            request.header("Api-Key", apiKey);
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        toClose.add(0, closeable);
        return closeable;
    }

    /** Headers keyed case-insensitively, as HTTP header names are. */
    record Delivery(Map<String, String> headers, byte[] body) {
    }

    /** The bundle's side, reduced to a loopback server that records deliveries and answers as told. */
    static final class WebhookReceiver implements AutoCloseable {

        private final HttpServer server;
        private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();

        WebhookReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
                deliveries.add(new Delivery(headers, body));
                Integer status = statuses.poll();
                exchange.sendResponseHeaders(status == null ? 200 : status, -1);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.flush();
                }
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        }

        void answer(Integer... next) {
            statuses.addAll(List.of(next));
        }

        List<Delivery> deliveries() {
            return List.copyOf(deliveries);
        }

        List<Delivery> awaitDeliveries(int count) throws InterruptedException {
            await(() -> deliveries.size() >= count);
            return deliveries();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
