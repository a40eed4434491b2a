package io.ideogramcamel.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.PostgresSchema;
import io.ideogramcamel.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code replicas: 3} on one PostgreSQL means, with real processes: three runnable jars share
 * one schema, one bucket (s3proxy) and one Ideogram (the stand-in). Generations are submitted
 * round-robin through {@code POST /generations}; every webhook reaches two different instances at
 * once; about every tenth is never announced, so the pollers find it. Halfway, one instance is
 * killed with {@code kill -9} and stays dead. Afterwards everything Ideogram made is archived,
 * each image fetched once (but for what the kill interrupted), no generation polled twice at
 * once, and no object written after its manifest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ThreeInstancesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GENERATIONS = Integer.getInteger("cluster.generations", 1000);
    private static final int KILL_AFTER = GENERATIONS / 2;
    /** Concurrent callers of POST /generations: a few requests in flight per instance. */
    private static final int SUBMITTERS = 6;
    private static final int VICTIM = 0;
    private static final String BUCKET = "cluster-it";
    private static final String PREFIX = "generations/";
    private static final String WEBHOOK_PATH = "/webhooks/ideogram";
    /** archive.concurrency of application.properties, deliberately not overridden here. */
    private static final int VICTIM_ARCHIVE_CONCURRENCY = 2;

    private LocalIdeogram local;
    private S3ProxyServer s3;
    private PostgresSchema schema;
    private WebhookFanOut fanOut;
    private final List<BundleProcess> bundles = new ArrayList<>();
    /** Where POST /generations goes; the victim leaves it just before it is killed. */
    private volatile List<Integer> submitTargets;

    @BeforeAll
    void start() throws Exception {
        // fast completions and a large budget, so 1,000 generations fit in minutes; webhooks are
        // retried more than Ideogram's default so a delivery never runs out of attempts in the kill
        local = LocalIdeogram.builder().completionDelayMillis(200).maxInflightImages(64)
                .webhookAttempts(6).webhookRetryInterval(Duration.ofSeconds(1))
                .webhookTimeout(Duration.ofSeconds(15))
                // slow poll answers, so two instances polling one generation would overlap visibly
                .pollResponseDelay(Duration.ofMillis(300)).start();
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        schema = new PostgresSchema();
        fanOut = new WebhookFanOut(WEBHOOK_PATH);
        for (int i = 0; i < 3; i++) {
            bundles.add(BundleProcess.start(Files.createTempDirectory("three-instances-" + i), environment()));
        }
        Map<Integer, String> all = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            all.put(i, bundles.get(i).baseUrl());
        }
        fanOut.targets(all);
        submitTargets = List.of(0, 1, 2);
    }

    private Map<String, String> environment() {
        Map<String, String> env = BundleProcess.usingLocalIdeogram(local, schema);
        env.put("IDEOGRAM_WEBHOOK_PUBLIC_URL", fanOut.url());
        env.put("STORAGE_S3_BUCKET", BUCKET);
        env.put("STORAGE_S3_ENDPOINT", s3.endpoint());
        // s3proxy runs with authorization none; the SDK's default chain still wants a key
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("IDEOGRAM_MAX_INFLIGHT_IMAGES", "64");
        env.put("IDEOGRAM_SUBMIT_DISPATCH_INTERVAL_MILLIS", "200");
        // Short leases so the victim's claims are taken over within seconds; each one stays above
        // the longest call it guards, so a live (if slow) holder never loses its claim mid-call.
        env.put("IDEOGRAM_SUBMIT_SEND_LEASE_SECONDS", "6");
        env.put("IDEOGRAM_SUBMIT_TIMEOUT_MILLIS", "4000");
        env.put("IDEOGRAM_POLL_LEASE_SECONDS", "5");
        env.put("IDEOGRAM_POLL_TIMEOUT_MILLIS", "3000");
        env.put("ARCHIVE_LEASE_SECONDS", "6");
        // one small variant keeps "each object once across a takeover" checked for variants too, without
        // a thousand generations' worth of large WebP encodes on the machine's two cores
        env.put("VARIANTS_NAMES", "thumb");
        env.put("IDEOGRAM_IMAGE_MAX_SECONDS", "4");
        env.put("IDEOGRAM_IMAGE_READ_TIMEOUT_MILLIS", "3000");
        env.put("IDEOGRAM_IMAGE_CONNECT_TIMEOUT_MILLIS", "2000");
        // the webhook normally comes within a second; the dropped ones are found soon after
        env.put("IDEOGRAM_POLL_INTERVAL_SECONDS", "1");
        env.put("IDEOGRAM_POLL_AFTER_SECONDS", "2");
        env.put("IDEOGRAM_POLL_RETRY_INITIAL_DELAY_SECONDS", "1");
        env.put("IDEOGRAM_POLL_RETRY_MAX_DELAY_SECONDS", "2");
        env.put("ARCHIVE_REDRIVE_INTERVAL_MILLIS", "500");
        env.put("ARCHIVE_RETRY_INITIAL_DELAY_SECONDS", "1");
        env.put("ARCHIVE_RETRY_MAX_DELAY_SECONDS", "2");
        return env;
    }

    @AfterAll
    void stop() throws Exception {
        for (BundleProcess bundle : bundles) {
            bundle.close();
        }
        if (fanOut != null) {
            fanOut.close();
        }
        if (local != null) {
            local.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (schema != null) {
            schema.close();
        }
    }

    /** What one POST /generations got back; status -1 when the instance died under it. */
    private record Submitted(int index, int instance, int status, String queuedId, String generationId, String state) {
    }

    @Test
    void threeInstancesOneKilledEverythingArchivedOnce() throws Exception {
        long started = System.nanoTime();
        List<Submitted> submitted = submitAllKillingOneHalfway();
        long submittedAt = System.nanoTime();

        awaitSettled(Duration.ofSeconds(150));
        long settledAt = System.nanoTime();

        Store store = Store.read(schema);
        List<String> created = local.generationIds();

        // --- submissions: each ended sent (and its generation archived) or unknown, never resent
        Map<String, Integer> submissionStates = store.submissionStates();
        assertThat(submissionStates.keySet()).as("submission states").isSubsetOf(Set.of("SENT", "UNKNOWN"));
        List<Map<String, String>> unknown = store.submissionsIn("UNKNOWN");
        // only the victim's sends, cut by the kill, may be unknown: a live sender always gets its answer
        assertThat(unknown).as("unknown submissions").allMatch(s -> "send_interrupted".equals(s.get("error")));
        // at most one send per caller it was serving, plus its dispatcher's
        assertThat(unknown.size()).as("unknown submissions").isLessThanOrEqualTo(SUBMITTERS + 1);
        assertThat(store.submissionCount()).as("submission rows").isBetween(answered(submitted), GENERATIONS);
        for (Submitted s : submitted) {
            if (s.generationId() != null) {
                assertThat(store.state(s.generationId())).as("answered " + s).isEqualTo("ARCHIVED");
            } else if (s.queuedId() != null) {
                Map<String, String> row = store.submission(s.queuedId());
                assertThat(row.get("state")).as("queued " + s).isIn("SENT", "UNKNOWN");
                if ("SENT".equals(row.get("state"))) {
                    assertThat(store.state(row.get("generation_id"))).as("queued then sent " + s).isEqualTo("ARCHIVED");
                }
            }
        }

        // --- every generation Ideogram made is archived, but one nobody can know of: sent by the
        // victim as it died (so no id came back) and never announced by webhook
        List<String> stranded = new ArrayList<>();
        for (String id : created) {
            if (!"ARCHIVED".equals(store.state(id))) {
                assertThat(store.state(id)).as("generation " + id).isNull();
                assertThat(local.prompt(id)).as("unrecorded generation " + id).contains("#drop-webhook");
                stranded.add(id);
            }
        }
        assertThat(stranded.size()).as("stranded generations").isLessThanOrEqualTo(unknown.size());
        assertThat(store.generationStates()).as("generation states").containsOnlyKeys("ARCHIVED");
        assertThat(store.generationCount()).isEqualTo(created.size() - stranded.size());
        // a generation linked to no submission can only come from an unknown send, by its webhook
        assertThat(store.unlinkedGenerations()).as("generations from unknown sends").isLessThanOrEqualTo(unknown.size());

        // --- image fetches: once each, but for a fetch the kill cut off after it reached the image
        // host and before its object was recorded. The victim ran at most archive.concurrency
        // claims at once, each at one step: so at most that many images were fetched twice, and
        // the same claims are the only ones that can have left a manifest written but not marked
        // ARCHIVED (the taker-over then writes it again); both together stay within the bound.
        Map<String, Integer> fetches = local.imageFetchCounts();
        List<String> archived = store.idsIn("ARCHIVED");
        int fetchedTwice = 0;
        for (String id : archived) {
            int count = fetches.getOrDefault(id + "/0", 0);
            assertThat(count).as("fetches of " + id + "/0").isBetween(1, 2);
            if (count == 2) {
                fetchedTwice++;
            }
        }
        assertThat(fetches.size()).as("images fetched").isEqualTo(archived.size());

        // --- polls: dropped webhooks were found by polling, never by two instances at once
        assertThat(local.maxConcurrentPollsOfOneId()).as("concurrent polls of one generation").isLessThanOrEqualTo(1);
        assertThat(store.sourceCount("poll")).as("archived via poll").isPositive();

        // --- objects: manifest.json last, and once, but for the victim's interrupted claims
        Map<String, List<S3ProxyServer.Write>> writesById = s3.writes(BUCKET, PREFIX).stream()
                .collect(Collectors.groupingBy(w -> w.key().substring(PREFIX.length(), w.key().lastIndexOf('/')),
                        LinkedHashMap::new, Collectors.toList()));
        assertThat(writesById.keySet()).as("generations with objects").containsExactlyInAnyOrderElementsOf(archived);
        int manifestsTwice = 0;
        int imagesWrittenTwice = 0;
        for (String id : archived) {
            List<S3ProxyServer.Write> writes = writesById.get(id);
            List<S3ProxyServer.Write> manifests = writes.stream().filter(w -> w.key().endsWith("/manifest.json")).toList();
            List<S3ProxyServer.Write> images = writes.stream().filter(w -> !w.key().endsWith("/manifest.json")).toList();
            assertThat(manifests).as("manifest writes of " + id).hasSizeBetween(1, 2);
            // the image and its thumb variant (VARIANTS_NAMES), each written once (twice only across a takeover)
            Map<String, Long> writesByKey = images.stream()
                    .collect(Collectors.groupingBy(S3ProxyServer.Write::key, Collectors.counting()));
            assertThat(writesByKey.keySet()).as("objects of " + id)
                    .containsExactlyInAnyOrder(PREFIX + id + "/0.png", PREFIX + id + "/0-thumb.webp");
            assertThat(writesByKey.values()).as("writes per object of " + id).allMatch(n -> n >= 1 && n <= 2);
            S3ProxyServer.Write firstManifest = manifests.get(0);
            assertThat(images).as("objects of " + id + " written after its manifest started")
                    .allMatch(firstManifest::startedAfter);
            if (manifests.size() == 2) {
                manifestsTwice++;
            }
            if (writesByKey.getOrDefault(PREFIX + id + "/0.png", 0L) == 2) {
                imagesWrittenTwice++;
            }
        }
        assertThat(imagesWrittenTwice).as("images written twice").isLessThanOrEqualTo(fetchedTwice);
        assertThat(fetchedTwice + manifestsTwice).as("images fetched twice + manifests written twice")
                .isLessThanOrEqualTo(VICTIM_ARCHIVE_CONCURRENCY);
        assertThat(s3.recordingGaps()).isEmpty();

        // --- webhooks: every delivery went to two different instances, and both took it unless
        // one of them was the victim
        List<WebhookFanOut.Delivery> deliveries = fanOut.deliveries();
        assertThat(deliveries).allMatch(d -> d.targets()[0] != d.targets()[1]);
        assertThat(deliveries).filteredOn(d -> !d.bothAccepted())
                .as("deliveries not taken by both instances")
                .allMatch(d -> d.targets()[0] == VICTIM || d.targets()[1] == VICTIM);
        Set<String> announced = new HashSet<>();
        deliveries.stream().filter(WebhookFanOut.Delivery::anyAccepted).forEach(d -> announced.add(d.generationId()));
        for (String id : created) {
            boolean dropped = local.prompt(id).contains("#drop-webhook");
            assertThat(announced.contains(id)).as("webhook of " + id + " taken").isEqualTo(!dropped);
        }

        String figures = String.format(
                "ThreeInstancesIT: %d submissions (%d answered submitted, %d queued, %d no answer), %d created at"
                        + " Ideogram, %d archived (%d via poll), %d unknown, %d stranded, %d images fetched twice,"
                        + " %d written twice, %d manifests written twice, %d webhook deliveries (%d to both),"
                        + " submit %.1f s, settle %.1f s, total %.1f s",
                submitted.size(), submitted.stream().filter(s -> "submitted".equals(s.state())).count(),
                submitted.stream().filter(s -> "queued".equals(s.state())).count(),
                submitted.stream().filter(s -> s.status() < 0).count(), created.size(), archived.size(),
                store.sourceCount("poll"), unknown.size(), stranded.size(), fetchedTwice, imagesWrittenTwice,
                manifestsTwice, deliveries.size(), deliveries.stream().filter(WebhookFanOut.Delivery::bothAccepted).count(),
                seconds(submittedAt - started), seconds(settledAt - submittedAt), seconds(settledAt - started));
        System.out.println(figures);
        Files.writeString(java.nio.file.Path.of("target", "three-instances-it.txt"), figures + "\n");
    }

    private List<Submitted> submitAllKillingOneHalfway() throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Submitted> results = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService callers = Executors.newFixedThreadPool(SUBMITTERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                running.add(callers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < GENERATIONS; i = next.getAndIncrement()) {
                        if (i == KILL_AFTER) {
                            killVictim();
                        }
                        results.add(submit(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(200, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        return results;
    }

    private void killVictim() throws InterruptedException {
        submitTargets = List.of(1, 2);
        bundles.get(VICTIM).kill9();
        // as a load balancer's health check would, only after the instance is gone
        Map<Integer, String> live = new TreeMap<>();
        live.put(1, bundles.get(1).baseUrl());
        live.put(2, bundles.get(2).baseUrl());
        fanOut.targets(live);
    }

    private Submitted submit(int index) throws Exception {
        List<Integer> targets = submitTargets;
        int instance = targets.get(index % targets.size());
        String prompt = "cluster " + index + (index % 10 == 9 ? " #drop-webhook" : "");
        byte[] body = JSON.writeValueAsBytes(Map.of("text_prompt", prompt));
        HttpResponse<String> response;
        try {
            response = Http.post(bundles.get(instance).baseUrl() + "/generations",
                    Map.of("Content-Type", "application/json"), body);
        } catch (IllegalStateException diedUnderUs) {
            assertThat(instance).as("only the victim may fail a request").isEqualTo(VICTIM);
            return new Submitted(index, instance, -1, null, null, null);
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        return new Submitted(index, instance, response.statusCode(), text(answer, "queued_id"),
                text(answer, "generation_id"), text(answer, "state"));
    }

    /**
     * Until nothing is left to do: no submission waiting or being sent, and every generation
     * Ideogram made archived, or unknowable (see the test).
     */
    private void awaitSettled(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            Store store = Store.read(schema);
            Map<String, Integer> submissions = store.submissionStates();
            long open = local.generationIds().stream()
                    .filter(id -> !"ARCHIVED".equals(store.state(id)))
                    .filter(id -> store.state(id) != null || !local.prompt(id).contains("#drop-webhook")
                            || !"completed".equals(local.status(id)))
                    .count();
            last = "submissions " + submissions + ", generations " + store.generationStates() + ", open " + open;
            if (open == 0 && !submissions.containsKey("QUEUED") && !submissions.containsKey("SENDING")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not settled within " + limit + ": " + last);
    }

    private static int answered(List<Submitted> submitted) {
        return (int) submitted.stream().filter(s -> s.queuedId() != null).count();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** A snapshot of the shared schema, read directly: faster than a thousand API calls. */
    private record Store(Map<String, Map<String, String>> generations, Map<String, Map<String, String>> submissions) {

        static Store read(PostgresSchema schema) throws SQLException {
            try (Connection c = DriverManager.getConnection(schema.jdbcUrl(), PostgresSchema.USER, "");
                    Statement s = c.createStatement()) {
                return new Store(rows(s, "SELECT generation_id, state, source, queued_id FROM generation", "generation_id"),
                        rows(s, "SELECT queued_id, state, generation_id, error FROM submission", "queued_id"));
            }
        }

        private static Map<String, Map<String, String>> rows(Statement s, String sql, String key) throws SQLException {
            Map<String, Map<String, String>> rows = new HashMap<>();
            try (ResultSet rs = s.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, String> row = new HashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getString(i));
                    }
                    rows.put(row.get(key), row);
                }
            }
            return rows;
        }

        String state(String generationId) {
            Map<String, String> row = generations.get(generationId);
            return row == null ? null : row.get("state");
        }

        Map<String, String> submission(String queuedId) {
            return submissions.getOrDefault(queuedId, Map.of());
        }

        Map<String, Integer> generationStates() {
            return count(generations, "state");
        }

        Map<String, Integer> submissionStates() {
            return count(submissions, "state");
        }

        List<Map<String, String>> submissionsIn(String state) {
            return submissions.values().stream().filter(r -> state.equals(r.get("state"))).toList();
        }

        List<String> idsIn(String state) {
            return generations.values().stream().filter(r -> state.equals(r.get("state")))
                    .map(r -> r.get("generation_id")).toList();
        }

        int submissionCount() {
            return submissions.size();
        }

        int generationCount() {
            return generations.size();
        }

        long unlinkedGenerations() {
            return generations.values().stream().filter(r -> r.get("queued_id") == null).count();
        }

        long sourceCount(String source) {
            return generations.values().stream().filter(r -> source.equals(r.get("source"))).count();
        }

        private static Map<String, Integer> count(Map<String, Map<String, String>> rows, String column) {
            Map<String, Integer> counts = new TreeMap<>();
            rows.values().forEach(r -> counts.merge(r.get(column), 1, Integer::sum));
            return counts;
        }
    }
}
