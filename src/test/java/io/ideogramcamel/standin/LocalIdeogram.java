package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for Ideogram's async API on 127.0.0.1: submit, poll, signed webhooks, a JWKS
 * and real PNG images, with Ideogram's in-flight limit and error answers. Lets a user see the
 * whole flow without an Ideogram account, and gives the end-to-end tests a realistic Ideogram
 * whose misbehaviour they can order (see the control methods). Thread-safe.
 *
 * <p>In-process: {@code try (LocalIdeogram ideogram = LocalIdeogram.builder().start()) {...}}.
 * As a program: {@code java -jar target/ideogram-standin.jar --port 8090}.
 */
public final class LocalIdeogram implements AutoCloseable {

    public static final String DEFAULT_API_KEY = "local-demo-key";
    public static final String KEY_ID = "local-v1";

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService scheduler;
    private final String apiKey;
    private final String userId;
    private final WebhookSigner signer = new WebhookSigner(KEY_ID);
    private final Faults faults;
    private final InflightBudget budget;
    private final Generations generations = new Generations();
    private final PollStats polls = new PollStats();
    private final ApiPaths apiPaths = new ApiPaths();
    private final ImageLinks links;
    private final WebhookDelivery webhooks;
    private final SubmitHandler submits;
    private final ImagineApiStandIn imagineApi;
    private final RunBlobStandIn runBlob;
    private final FalSender fal;
    private final HmacRelaySender hmacRelay;
    private final StandardWebhooksSender standardWebhooks;

    private LocalIdeogram(Builder config) throws IOException {
        this.apiKey = config.apiKey;
        this.userId = config.webhookUserId == null ? WebhookSigner.randomId(12) : config.webhookUserId;
        this.faults = new Faults(config.pollResponseDelay);
        this.budget = new InflightBudget(config.maxInflightImages);
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", config.port), 64);
        this.links = new ImageLinks(baseUrl());
        this.scheduler = Executors.newScheduledThreadPool(2, daemonThreads("ideogram-standin-worker"));
        this.webhooks = new WebhookDelivery(signer, userId, scheduler, config.webhookAttempts,
                config.webhookRetryInterval, config.webhookTimeout);
        GenerationRunner runner = new GenerationRunner(scheduler, budget, webhooks, links, config.completionDelay);
        this.submits = new SubmitHandler(apiKey, faults, budget, generations, runner, apiPaths);
        // one thread per request: slow answers (poll delay, late submits) must not block the others
        this.httpThreads = Executors.newCachedThreadPool(daemonThreads("ideogram-standin-http"));
        server.setExecutor(httpThreads);
        server.createContext(JwksHandler.PATH, Exchanges.handler(new JwksHandler(signer)));
        PollHandler pollHandler = new PollHandler(apiKey, faults, generations, polls, apiPaths);
        // v2 behaves as v1 here: same generations, same webhooks (v2's submit also needs async or a webhook_url)
        server.createContext(SubmitHandler.PATH, Exchanges.handler(submits));
        server.createContext(SubmitHandler.V2_PATH, Exchanges.handler(submits));
        server.createContext(PollHandler.PATH, Exchanges.handler(pollHandler));
        server.createContext(PollHandler.V2_PATH, Exchanges.handler(pollHandler));
        server.createContext(ImageLinks.PATH, Exchanges.handler(new ImageHandler(generations, links)));
        (this.imagineApi = new ImagineApiStandIn(baseUrl(), apiKey)).register(server);
        (this.runBlob = new RunBlobStandIn(baseUrl(), apiKey)).register(server);
        this.fal = new FalSender(baseUrl());
        server.createContext(FalSender.PATH, Exchanges.handler(fal));
        server.createContext(HmacRelaySender.PATH, Exchanges.handler(hmacRelay = new HmacRelaySender(baseUrl())));
        server.createContext(StandardWebhooksSender.PATH,
                Exchanges.handler(standardWebhooks = new StandardWebhooksSender(baseUrl())));
        server.createContext("/", Exchanges.handler(exchange -> {
            throw new ApiError(404, "Not found");
        }));
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults throughout, on a free port. */
    public static LocalIdeogram start() throws IOException {
        return builder().start();
    }

    public static void main(String[] args) throws Exception {
        StandInCommandLine.run(args);
    }

    // --- where it is ---

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** ImagineAPI's item API and callbacks (unsigned; can lie about completions). */
    public ImagineApiStandIn imagineApi() {
        return imagineApi;
    }

    /** RunBlob's task status endpoint and callback. */
    public RunBlobStandIn runBlob() {
        return runBlob;
    }

    public String jwksUrl() {
        return baseUrl() + JwksHandler.PATH;
    }

    /** The async submit endpoint, without a webhook_url. */
    public String generateUrl() {
        return baseUrl() + SubmitHandler.PATH;
    }

    /** v2's generate endpoint, without a webhook_url (the body must then say "async": true). */
    public String generateV2Url() {
        return baseUrl() + SubmitHandler.V2_PATH;
    }

    public String apiKey() {
        return apiKey;
    }

    /** The account id every webhook names in X-Ideogram-Webhook-User-Id. */
    public String userId() {
        return userId;
    }

    public String keyId() {
        return signer.kid();
    }

    /** fal.ai's webhook, played with a key of its own (see FalSender). */
    public FalSender fal() {
        return fal;
    }

    /** The HMAC relay (seed 001) sender: signed callbacks of both body shapes, its images. */
    public HmacRelaySender hmacRelay() {
        return hmacRelay;
    }

    /** The Replicate-style Standard Webhooks sender: signed predictions, its images. */
    public StandardWebhooksSender standardWebhooks() {
        return standardWebhooks;
    }

    // --- controls ---

    /** The next {@code count} submits get 429 with {@code Retry-After: retryAfterSeconds}; nothing is created. */
    public void rejectNextSubmits(int count, int retryAfterSeconds) {
        faults.rejectNextSubmits(count, retryAfterSeconds);
    }

    /**
     * The next {@code count} accepted submits create their generation at once but answer only after
     * {@code delay}: a client that times out first cannot know whether it was created.
     */
    public void delayNextSubmitAnswers(int count, Duration delay) {
        faults.delayNextSubmitAnswers(count, delay);
    }

    /** The next {@code count} polls get 429 with {@code Retry-After: retryAfterSeconds}. */
    public void rejectNextPolls(int count, int retryAfterSeconds) {
        faults.rejectNextPolls(count, retryAfterSeconds);
    }

    /** Every poll is answered after {@code delay}, so two overlapping polls of one id are seen as such. */
    public void pollResponseDelay(Duration delay) {
        faults.pollDelay(delay);
    }

    // --- what happened ---

    /** POSTs to the submit endpoint, whatever their outcome. */
    public int submitCalls() {
        return submits.calls();
    }

    /** The bodies of the POSTs to the submit endpoint, as received, in arrival order. */
    public List<String> submitBodies() {
        return submits.bodies();
    }

    /** Ids of the generations created, in creation order. */
    public List<String> generationIds() {
        return generations.ids();
    }

    /** {@code "pending"}, {@code "completed"}, {@code "failed"}, or null for an unknown id. */
    public String status(String generationId) {
        Generation generation = generations.find(generationId);
        return generation == null ? null : generation.status().name().toLowerCase(Locale.ROOT);
    }

    /** The text prompt a generation was created with (its markers included), or null for an unknown id. */
    public String prompt(String generationId) {
        Generation generation = generations.find(generationId);
        return generation == null ? null : generation.request().prompt();
    }

    public int inflightImages() {
        return budget.inFlight();
    }

    public int maxInflightImagesSeen() {
        return budget.maxSeen();
    }

    /**
     * API calls by endpoint, v1 and v2 apart: keys like {@code "POST /v2/image/generate/ideogram-4"}
     * and {@code "GET /v2/generations/"} (polls without their id).
     */
    public Map<String, Integer> apiCalls() {
        return apiPaths.counts();
    }

    public int pollCount(String generationId) {
        return polls.count(generationId);
    }

    public Map<String, Integer> pollCounts() {
        return polls.counts();
    }

    /** The most polls of one generation id ever answered at the same time. */
    public int maxConcurrentPollsOfOneId() {
        return polls.maxConcurrentOfOneId();
    }

    /** Every webhook delivery attempt so far, in the order they ended. */
    public List<WebhookAttempt> webhookAttempts() {
        return webhooks.attempts();
    }

    public List<WebhookAttempt> webhookAttempts(String generationId) {
        return webhooks.attempts().stream().filter(a -> a.generationId().equals(generationId)).toList();
    }

    public int imageFetches(String generationId, int index) {
        return links.fetches(generationId, index);
    }

    /** Image fetch counts keyed {@code generationId/index}. */
    public Map<String, Integer> imageFetchCounts() {
        return links.fetches();
    }

    /**
     * Lets {@code POST /control/stop} with header {@code X-Stop-Token: token} run {@code onStop}
     * (the program's clean stop, {@code --stop}); any other token gets 403. The server listens on
     * 127.0.0.1 only, and the token is known only to whoever can read the file it was written to.
     */
    void acceptStopRequests(String token, Runnable onStop) {
        byte[] expected = token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.createContext(STOP_PATH, Exchanges.handler(exchange -> {
            Exchanges.requireMethod(exchange, "POST");
            String given = exchange.getRequestHeaders().getFirst(STOP_TOKEN_HEADER);
            if (given == null || !java.security.MessageDigest.isEqual(given.getBytes(java.nio.charset.StandardCharsets.UTF_8), expected)) {
                throw new ApiError(403, "Missing or wrong " + STOP_TOKEN_HEADER + " header");
            }
            Exchanges.json(exchange, 202, Map.of("stopping", true));
            onStop.run();
        }));
    }

    static final String STOP_PATH = "/control/stop";
    static final String STOP_TOKEN_HEADER = "X-Stop-Token";

    @Override
    public void close() {
        server.stop(0);
        scheduler.shutdownNow();
        httpThreads.shutdownNow();
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Settings; every one has Ideogram-like defaults. */
    public static final class Builder {

        private int port;
        private String apiKey = DEFAULT_API_KEY;
        private Duration completionDelay = Duration.ofMillis(1500);
        private int maxInflightImages = 10;
        private int webhookAttempts = 3;
        private Duration webhookRetryInterval = Duration.ofSeconds(1);
        private Duration webhookTimeout = Duration.ofSeconds(5);
        private Duration pollResponseDelay = Duration.ZERO;
        private String webhookUserId;

        private Builder() {
        }

        /**
         * The Ideogram account id its webhooks are signed for (default: a random one): another
         * account's deliveries, for allowed-user-ids. URL-safe base64, as Ideogram's.
         */
        public Builder webhookUserId(String userId) {
            this.webhookUserId = userId;
            return this;
        }

        /** 0 (the default) takes a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder completionDelay(Duration delay) {
            this.completionDelay = delay;
            return this;
        }

        public Builder completionDelayMillis(long millis) {
            return completionDelay(Duration.ofMillis(millis));
        }

        public Builder maxInflightImages(int images) {
            this.maxInflightImages = images;
            return this;
        }

        /** Delivery attempts per webhook, the first included. */
        public Builder webhookAttempts(int attempts) {
            this.webhookAttempts = attempts;
            return this;
        }

        public Builder webhookRetryInterval(Duration interval) {
            this.webhookRetryInterval = interval;
            return this;
        }

        /** Connect and answer timeout of one delivery attempt. */
        public Builder webhookTimeout(Duration timeout) {
            this.webhookTimeout = timeout;
            return this;
        }

        public Builder pollResponseDelay(Duration delay) {
            this.pollResponseDelay = delay;
            return this;
        }

        public LocalIdeogram start() throws IOException {
            if (port < 0 || port > 65_535 || maxInflightImages < 1 || webhookAttempts < 1 || apiKey == null || apiKey.isEmpty()) {
                throw new IllegalArgumentException("port 0-65535, maxInflightImages >= 1, webhookAttempts >= 1 and an api key");
            }
            return new LocalIdeogram(this);
        }
    }
}
