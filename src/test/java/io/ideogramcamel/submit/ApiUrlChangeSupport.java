package io.ideogramcamel.submit;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.store.ApiUrlGuard;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.StoreIdentity;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.junit.jupiter.api.AfterAll;

/**
 * A bundle started on an H2 store that an earlier run used with another Ideogram API URL (the
 * demo's stand-in, say): the store holds a generation it sent there, due for polling now.
 */
abstract class ApiUrlChangeSupport extends BundleTestSupport {

    /** Where the earlier run sent: nothing listens there. */
    static final String EARLIER_API_URL = "http://127.0.0.1:9/earlier";
    static final Duration WITHIN = Duration.ofSeconds(30);

    protected LocalIdeogram local;
    protected String earlierGenerationId;

    @Override
    protected String storeJdbcUrl() throws Exception {
        String url = "jdbc:h2:file:" + Files.createTempDirectory("ideogram-api-url-").resolve("store") + ";WRITE_DELAY=0";
        seedStoreUsedElsewhere(url);
        return url;
    }

    /** What the earlier run left: its URL remembered, and one generation sent there awaiting its poll. */
    private void seedStoreUsedElsewhere(String jdbcUrl) {
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl(jdbcUrl);
        store.start();
        try {
            StoreIdentity identity = new StoreIdentity();
            identity.setStore(store);
            identity.recordIfAbsent(EARLIER_API_URL);
            SubmissionLedger ledger = new SubmissionLedger();
            ledger.setStore(store);
            ledger.setCallerFirstMillis(0);
            ledger.setPollAfterSeconds(0);
            ledger.enqueue(null, "{\"text_prompt\":\"sent earlier\"}", 1);
            SendClaim claim = ledger.claimHead(null);
            earlierGenerationId = IdeogramStandIn.newGenerationId();
            ledger.recordSent(claim, earlierGenerationId);
        } finally {
            store.stop();
        }
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().completionDelayMillis(200).maxInflightImages(10).start();
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.api-key", local.apiKey())
                .set("ideogram.webhook.public-url", "")
                .set("ideogram.submit.dispatch-interval-millis", "200")
                .set("ideogram.submit.caller-first-millis", "0")
                .set("ideogram.poll.interval-seconds", "1")
                .set("ideogram.poll.after-seconds", "0");
        allowChange(properties);
    }

    /** Sets ideogram.allow-api-url-change, or leaves the default. */
    protected abstract void allowChange(BundleProperties properties);

    @AfterAll
    void stopLocal() throws IOException {
        closeQuietly(local);
    }

    protected ApiUrlGuard guard() {
        return context().getRegistry().lookupByNameAndType("ideogramApiGuard", ApiUrlGuard.class);
    }

    protected StoreIdentity identity() {
        return context().getRegistry().lookupByNameAndType("storeIdentity", StoreIdentity.class);
    }

    protected HttpResponse<String> submit(String prompt) {
        byte[] body = ("{\"text_prompt\":\"" + prompt + "\"}").getBytes(StandardCharsets.UTF_8);
        return Http.post(baseUrl() + "/generations", Map.of("Content-Type", "application/json"), body);
    }

    static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(50);
        }
    }
}
