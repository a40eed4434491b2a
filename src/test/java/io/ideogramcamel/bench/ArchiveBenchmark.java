package io.ideogramcamel.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.S3ProxyServer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The archive benchmark: the bundle (target/ideogram-camel.jar, -Xmx256m) against a bare JDK copy
 * (HttpClient GET streamed into an AWS SDK PUT, no Camel, no store) in one run, on loopback, with
 * the same image host and the same s3proxy, so that the ratio says what Camel, the store and the
 * manifest cost rather than what the machine is worth. A main, not a test: timings on a shared
 * 2-core machine would make a flaky build, so it runs only when asked ({@code -Pbench}).
 *
 * <p>The measured rounds alternate, bare then bundle, {@code rounds} times, and the figures are
 * the totals: on a machine where other builds come and go, back-to-back phases would compare
 * two different machines.
 *
 * <p>Settings are system properties ({@code -Dbench.generations=100}) or {@code name=value}
 * arguments: generations (per round), imageKiB, concurrency, warmup, rounds, largeMiB,
 * largeGenerations, timeoutSeconds, jfr (a flight recording of the bundle in its folder),
 * bareGet ({@code jdk}, the reference, or {@code hc5}, Apache HttpClient 5 as Camel's
 * http component uses it: the JDK client's streaming costs more than Camel does, so only hc5
 * isolates what Camel and the store cost), bundleEnv ({@code KEY=V,KEY=V} for the bundle: a
 * what-if without editing the routes). Exits 1 when either side did not archive every image
 * intact, 2 when the benchmark itself could not run. variantsOnly=true runs only the variants'
 * heap phases (a 2048x2048 PNG, and 4000x4000 random-pixel PNGs just under 50 MiB).
 */
public final class ArchiveBenchmark {

    private static final int IMAGES_PER_GENERATION = 4;
    private static final String BARE_BUCKET = "bench-bare";
    private static final String BUNDLE_BUCKET = "bench-bundle";
    private static final String BUNDLE_PREFIX = "bench/";
    private static final String CONTENT_TYPE = "image/png";
    private static final String BUNDLE_HEAP_MB = "256";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private final Settings settings;
    private final Path runDir;
    private final S3ProxyServer s3;
    private final ImageHost images;
    private final IdeogramStandIn ideogram;

    private ArchiveBenchmark(Settings settings, Path runDir, S3ProxyServer s3, ImageHost images,
                             IdeogramStandIn ideogram) {
        this.settings = settings;
        this.runDir = runDir;
        this.s3 = s3;
        this.images = images;
        this.ideogram = ideogram;
    }

    public static void main(String[] args) {
        int status;
        try {
            Settings settings = Settings.from(args);
            // Ctrl-C or Maven's timeout must not leave s3proxy or a bundle JVM running
            Runtime.getRuntime().addShutdownHook(new Thread(
                    () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
                    "bench-children"));
            // s3proxy is started in its own directory: a relative jar path would point nowhere there
            String s3proxyJar = System.getProperty("s3proxy.jar");
            if (s3proxyJar != null) {
                System.setProperty("s3proxy.jar", Path.of(s3proxyJar).toAbsolutePath().toString());
            }
            Path runDir = Files.createDirectories(Path.of("target", "bench",
                    "archive-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                    .toAbsolutePath();
            System.out.println("archive benchmark: " + settings + ", bundle -Xmx" + BUNDLE_HEAP_MB + "m"
                    + ", logs in " + runDir);
            try (IdeogramStandIn ideogram = new IdeogramStandIn();
                 S3ProxyServer s3 = S3ProxyServer.start();
                 ImageHost images = ImageHost.start("127.0.0.1")) {
                status = new ArchiveBenchmark(settings, runDir, s3, images, ideogram).run() ? 0 : 1;
            }
        } catch (Exception e) {
            System.out.println("archive benchmark aborted: " + e);
            e.printStackTrace(System.out);
            status = 2;
        }
        System.exit(status);
    }

    private boolean run() throws Exception {
        s3.createBucket(BARE_BUCKET);
        s3.createBucket(BUNDLE_BUCKET);
        if (settings.variantsOnly()) {
            return variantsPhases();
        }
        Side bare = new Side("bare copy");
        Side bundle = new Side("bundle");
        Map<String, Long> bundleThreads = new HashMap<>();
        Set<String> measuredIds = new HashSet<>();
        long rssKb;
        Path install = Files.createDirectories(runDir.resolve("bundle"));
        String sha = ImageHost.sizedSha256(settings.imageBytes());
        try (BareCopier copier = new BareCopier(s3.endpoint(), BARE_BUCKET, sha, settings.imageBytes(),
                settings.bareGet().equals("hc5"));
             BundleProcess process = BundleProcess.start(install, environment(install, settings.jfr()))) {
            // JIT: both sides run the same code paths once before anything is timed
            bareRound(copier, "warmup", settings.warmup());
            Round warm = deliverRound(process, "warmup", settings.warmup(), settings.imageBytes(), IMAGES_PER_GENERATION);
            if (awaitManifests(process, warm).isEmpty()) {
                throw new IllegalStateException("the bundle did not archive its warm-up round, see " + install);
            }
            for (int r = 1; r <= settings.rounds(); r++) {
                Cpu before = Cpu.now(process.pid());
                long start = System.nanoTime();
                int copied = bareRound(copier, "round" + r, settings.generations());
                Cpu bareUsed = Cpu.now(process.pid()).minus(before);
                bare.add(copied, (System.nanoTime() - start) / 1e9, bareUsed);

                before = Cpu.now(process.pid());
                Map<String, Long> threadsBefore = threadCpuMs(process.pid());
                Round round = deliverRound(process, "round" + r, settings.generations(), settings.imageBytes(),
                        IMAGES_PER_GENERATION);
                Optional<Instant> last = awaitManifests(process, round);
                Cpu used = Cpu.now(process.pid()).minus(before);
                measuredIds.addAll(round.ids());
                Map<String, Long> threads = minus(threadCpuMs(process.pid()), threadsBefore);
                threads.forEach((k, v) -> bundleThreads.merge(k, v, Long::sum));
                // from the first delivery to the last manifest as s3proxy's forwarder saw it complete
                double seconds = Duration.between(round.start(), last.orElse(Instant.now())).toNanos() / 1e9;
                bundle.add(verify(round, settings.imageBytes(), sha), seconds, used);
                // a round still spent compiling says the warm-up was too short for steady state
                long jitMs = threads.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                        .mapToLong(Map.Entry::getValue).sum();
                System.out.printf(Locale.ROOT,
                        "round %d: bare %.1f img/s, bundle %.1f img/s, ratio %.2f; bundle cpu %.1f s, of which JIT %.1f s;"
                                + " other processes' cpu %.1f s / %.1f s%n",
                        r, bare.lastRate(), bundle.lastRate(), bundle.lastRate() / bare.lastRate(),
                        used.bundleMs() / 1e3, jitMs / 1e3, bareUsed.othersMs() / 1e3, used.othersMs() / 1e3);
                if (last.isEmpty()) {
                    break;
                }
            }
            rssKb = procStatusKb(process.pid(), "VmHWM");
        }
        int expected = settings.rounds() * settings.generations() * IMAGES_PER_GENERATION;
        Outcome bareOutcome = bare.outcome(expected, -1, -1, "");
        Outcome bundleOutcome = bundle.outcome(expected, rssKb, peakHeapBeforeGcMb(install.resolve("gc.log")),
                "see " + install.resolve("bundle.log"));
        String perObject = perObject(measuredIds);
        Outcome large = large();
        report(bareOutcome, bundleOutcome, large, bundleThreads, perObject);
        boolean variants = variantsPhases();
        return bareOutcome.complete() && bundleOutcome.complete() && large.complete() && variants;
    }

    /** Totals of one side over its measured rounds. */
    private static final class Side {
        private final String name;
        private int images;
        private double seconds;
        private Cpu cpu = new Cpu(0, 0, 0, 0);
        private double lastRate;

        Side(String name) {
            this.name = name;
        }

        void add(int roundImages, double roundSeconds, Cpu roundCpu) {
            images += roundImages;
            seconds += roundSeconds;
            cpu = cpu.plus(roundCpu);
            lastRate = roundSeconds > 0 ? roundImages / roundSeconds : 0;
        }

        double lastRate() {
            return lastRate;
        }

        Outcome outcome(int expected, long rssKb, long heapMb, String whereToLook) {
            boolean complete = images == expected;
            return new Outcome(name, images, expected, seconds, rssKb, heapMb, cpu, complete,
                    complete ? "" : (expected - images) + " images missing " + whereToLook);
        }
    }

    // ---------------------------------------------------------------- the bare copy

    /** One round: each worker copies a whole generation, its images one after another, as the bundle does. */
    private int bareRound(BareCopier copier, String round, int generations) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(settings.concurrency());
        Map<String, List<String>> work = new LinkedHashMap<>();
        for (int g = 0; g < generations; g++) {
            String id = IdeogramStandIn.newGenerationId();
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < IMAGES_PER_GENERATION; i++) {
                String path = "/bare/" + round + "/" + id + "/" + i;
                images.sized(path, settings.imageBytes(), CONTENT_TYPE);
                urls.add(images.url(path));
            }
            work.put(id, urls);
        }
        List<Future<Integer>> done = new ArrayList<>();
        try {
            work.forEach((id, urls) -> done.add(workers.submit(
                    () -> copier.copyGeneration("bare/" + round + "/" + id + "/", urls))));
        } finally {
            workers.shutdown();
        }
        if (!workers.awaitTermination(settings.timeoutSeconds(), TimeUnit.SECONDS)) {
            workers.shutdownNow();
            throw new IllegalStateException("bare copy " + round + " not done within " + settings.timeoutSeconds() + " s");
        }
        int copied = 0;
        for (Future<Integer> f : done) {
            try {
                copied += f.get();
            } catch (ExecutionException e) {
                System.out.println("bare copy failed: " + e.getCause());
            }
        }
        return copied;
    }

    /** What the bundle does per image and nothing else: GET, stream into PUT, sha256 on the way. */
    private static final class BareCopier implements AutoCloseable {
        private final HttpClient jdk = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        // Camel's own HTTP client, for bareGet=hc5: tells the JDK client's cost apart from Camel's
        private final CloseableHttpClient hc5 = HttpClients.createDefault();
        private final boolean useHc5;
        private final S3Client s3;
        private final String bucket;
        private final String expectedSha;
        private final long expectedSize;

        BareCopier(String endpoint, String bucket, String expectedSha, long expectedSize, boolean useHc5) {
            // as the bundle's S3ClientFactory builds its client, so both sides pay the same SDK
            this.s3 = S3Client.builder()
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .endpointOverride(URI.create(endpoint))
                    .forcePathStyle(true)
                    .build();
            this.bucket = bucket;
            this.expectedSha = expectedSha;
            this.expectedSize = expectedSize;
            this.useHc5 = useHc5;
        }

        int copyGeneration(String keyPrefix, List<String> urls) throws Exception {
            for (int i = 0; i < urls.size(); i++) {
                String key = keyPrefix + i + ".png";
                if (useHc5) {
                    hc5.execute(new HttpGet(urls.get(i)), response -> {
                        try (InputStream body = response.getEntity().getContent()) {
                            put(key, response.getCode(), response.getEntity().getContentLength(), body);
                        }
                        return null;
                    });
                } else {
                    HttpResponse<InputStream> response = jdk.send(HttpRequest.newBuilder(URI.create(urls.get(i)))
                            .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                    try (InputStream body = response.body()) {
                        put(key, response.statusCode(),
                                response.headers().firstValueAsLong("Content-Length").orElse(-1), body);
                    }
                }
            }
            return urls.size();
        }

        private void put(String key, int status, long length, InputStream body) throws IOException {
            if (status != 200 || length < 0) {
                throw new IOException(key + ": status " + status + ", length " + length);
            }
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE).contentLength(length),
                    RequestBody.fromInputStream(new DigestInputStream(body, sha), length));
            if (length != expectedSize || !HexFormat.of().formatHex(sha.digest()).equals(expectedSha)) {
                throw new IOException(key + ": wrong size or sha256");
            }
        }

        @Override
        public void close() throws IOException {
            s3.close();
            hc5.close();
        }
    }

    // ---------------------------------------------------------------- 50 MiB images

    private Outcome large() throws Exception {
        Path install = Files.createDirectories(runDir.resolve("large"));
        long size = settings.largeBytes();
        String expectedSha = ImageHost.sizedSha256(size);
        Round round;
        Optional<Instant> last;
        Cpu used;
        long rssKb;
        // a fresh process, so its peak RSS and heap are the large images' alone
        try (BundleProcess bundle = BundleProcess.start(install, environment(install, false))) {
            Cpu before = Cpu.now(bundle.pid());
            // delivered together: with concurrency 2 both streams are in flight at once
            round = deliverRound(bundle, "large", settings.largeGenerations(), size, 1);
            last = awaitManifests(bundle, round);
            used = Cpu.now(bundle.pid()).minus(before);
            rssKb = procStatusKb(bundle.pid(), "VmHWM");
        }
        int archived = verify(round, size, expectedSha);
        int expected = round.ids().size();
        boolean oom = Files.readString(install.resolve("bundle.log")).contains("OutOfMemoryError");
        double seconds = Duration.between(round.start(), last.orElse(Instant.now())).toNanos() / 1e9;
        boolean complete = archived == expected && last.isPresent() && !oom;
        return new Outcome("large " + settings.largeMiB() + " MiB", archived, expected, seconds, rssKb,
                peakHeapBeforeGcMb(install.resolve("gc.log")), used, complete,
                oom ? "OutOfMemoryError, see " + install.resolve("bundle.log")
                        : complete ? "" : "not archived, see " + install.resolve("bundle.log"));
    }

    // ---------------------------------------------------------------- variants

    /**
     * The variants' heap: real images this time (the rounds' bodies do not decode), each in a fresh
     * bundle (-Xmx256m) so its GC log's peak is theirs: 2048x2048 PNGs as Ideogram sends them, and
     * PNGs of random pixels just under 50 MiB (4000x4000, incompressible) delivered together, so with
     * concurrency 2 two are decoded at once.
     */
    private boolean variantsPhases() throws Exception {
        Outcome typical = variantsPhase("variants 2048x2048 png", photoLike(2048, 2048), 4);
        byte[] large = noise(4000, 4000);
        Outcome biggest = variantsPhase("variants " + (large.length / (1024 * 1024)) + " MiB png 4000x4000", large,
                settings.largeGenerations());
        for (Outcome o : List.of(typical, biggest)) {
            System.out.printf(Locale.ROOT, "%s: %d of %d variants stored in %.1f s, peak heap before GC %d MB"
                    + " (-Xmx%sm), peak RSS %d MB%s%n", o.target(), o.images(), o.expected(), o.seconds(),
                    o.peakHeapMb(), BUNDLE_HEAP_MB, o.peakRssKb() / 1024, o.note().isEmpty() ? "" : "; " + o.note());
        }
        return typical.complete() && biggest.complete();
    }

    private Outcome variantsPhase(String label, byte[] png, int generations) throws Exception {
        Path install = Files.createDirectories(runDir.resolve(label.replaceAll("[^a-z0-9]+", "-")));
        long rssKb;
        Cpu used;
        Round round;
        Optional<Instant> last;
        try (BundleProcess bundle = BundleProcess.start(install, environment(install, false))) {
            Cpu before = Cpu.now(bundle.pid());
            List<String> ids = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            for (int g = 0; g < generations; g++) {
                String id = IdeogramStandIn.newGenerationId();
                String path = "/variants/" + id + "/0";
                images.png(path, png);
                ids.add(id);
                bodies.add(IdeogramStandIn.deliveryBody(id, IdeogramStandIn.image(images.url(path), true, g)));
            }
            Instant start = Instant.now();
            for (int g = 0; g < generations; g++) {
                Http.post(bundle.baseUrl() + "/webhooks/ideogram", ideogram.sign(ids.get(g), bodies.get(g)), bodies.get(g));
            }
            round = new Round(start, ids);
            last = awaitManifests(bundle, round);
            used = Cpu.now(bundle.pid()).minus(before);
            rssKb = procStatusKb(bundle.pid(), "VmHWM");
        }
        int stored = 0;
        for (String id : round.ids()) {
            stored += (int) s3.keys(BUNDLE_BUCKET, BUNDLE_PREFIX + id + "/").stream()
                    .filter(k -> k.endsWith(".webp")).count();
        }
        int expected = generations * 3;
        boolean oom = Files.readString(install.resolve("bundle.log")).contains("OutOfMemoryError");
        double seconds = Duration.between(round.start(), last.orElse(Instant.now())).toNanos() / 1e9;
        boolean complete = stored == expected && last.isPresent() && !oom;
        return new Outcome(label, stored, expected, seconds, rssKb, peakHeapBeforeGcMb(install.resolve("gc.log")), used,
                complete, oom ? "OutOfMemoryError, see " + install.resolve("bundle.log")
                        : complete ? "" : "incomplete, see " + install.resolve("bundle.log"));
    }

    /** Smooth gradients with some structure, compressing like a rendered image does. */
    private static byte[] photoLike(int width, int height) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255) / width;
                int g = (y * 255) / height;
                int b = ((x / 64 + y / 64) % 2) * 128 + ((x ^ y) & 63);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return png(image);
    }

    /** Random pixels: a PNG as large as its pixels (about 3 bytes each). */
    private static byte[] noise(int width, int height) throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width, height,
                java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        byte[] pixels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
        new java.util.Random(42).nextBytes(pixels);
        return png(image);
    }

    private static byte[] png(java.awt.image.BufferedImage image) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- driving the bundle

    private Map<String, String> environment(Path install, boolean jfr) {
        Map<String, String> env = BundleProcess.archivingTo(ideogram, s3, BUNDLE_BUCKET);
        env.put("STORAGE_S3_PREFIX", BUNDLE_PREFIX);
        env.put("ARCHIVE_CONCURRENCY", Integer.toString(settings.concurrency()));
        // the GC log gives the heap actually used, which RSS (heap + metaspace + code + threads) hides
        String options = "-Xlog:gc:file=" + install.resolve("gc.log");
        if (jfr) {
            options += " -XX:StartFlightRecording=filename=" + install.resolve("bundle.jfr") + ",settings=profile";
        }
        // what-if runs (another throttle, no re-drive, JIT flags...) without editing the routes
        env.putAll(settings.bundleEnv());
        env.merge("JAVA_TOOL_OPTIONS", options, (extra, ours) -> ours + " " + extra);
        return env;
    }

    private record Round(Instant start, List<String> ids) {
    }

    /** Registers the round's images (distinct paths) and delivers one signed webhook per generation. */
    private Round deliverRound(BundleProcess bundle, String round, int generations, long imageBytes, int perGeneration) {
        List<String> ids = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        for (int g = 0; g < generations; g++) {
            String id = IdeogramStandIn.newGenerationId();
            String[] entries = new String[perGeneration];
            for (int i = 0; i < perGeneration; i++) {
                String path = "/bundle/" + round + "/" + id + "/" + i;
                images.sized(path, imageBytes, CONTENT_TYPE);
                entries[i] = IdeogramStandIn.image(images.url(path), true, i);
            }
            ids.add(id);
            bodies.add(IdeogramStandIn.deliveryBody(id, entries));
        }
        Instant start = Instant.now();
        for (int g = 0; g < generations; g++) {
            String id = ids.get(g);
            HttpResponse<String> answer = Http.post(bundle.baseUrl() + "/webhooks/ideogram",
                    ideogram.sign(id, bodies.get(g)), bodies.get(g));
            if (answer.statusCode() != 200 || !answer.body().contains("accepted")) {
                throw new IllegalStateException("delivery of " + id + ": " + answer.statusCode() + " " + answer.body());
            }
        }
        return new Round(start, ids);
    }

    /**
     * Waits, bounded, for every generation's manifest.json; returns when the last one was written
     * as s3proxy's forwarder saw its answer complete, exact whatever the polling interval.
     */
    private Optional<Instant> awaitManifests(BundleProcess bundle, Round round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.timeoutSeconds());
        Set<String> wanted = new HashSet<>();
        for (String id : round.ids()) {
            wanted.add(BUNDLE_PREFIX + id + "/manifest.json");
        }
        while (true) {
            Instant last = null;
            int found = 0;
            for (S3ProxyServer.Write w : s3.writes(BUNDLE_BUCKET, BUNDLE_PREFIX)) {
                if (wanted.contains(w.key())) {
                    found++;
                    last = last == null || w.completedAt().isAfter(last) ? w.completedAt() : last;
                }
            }
            if (found >= wanted.size()) {
                return Optional.of(last);
            }
            boolean alive = ProcessHandle.of(bundle.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive || System.nanoTime() > deadline) {
                System.out.println((alive ? "timed out" : "bundle died") + ": " + found + "/" + wanted.size()
                        + " manifests written");
                return Optional.empty();
            }
            Thread.sleep(100);
        }
    }

    /** Images listed as stored, with the right size and sha256, in the round's manifests. */
    private int verify(Round round, long size, String sha) throws IOException {
        int good = 0;
        for (String id : round.ids()) {
            byte[] manifest = s3.read(BUNDLE_BUCKET, BUNDLE_PREFIX + id + "/manifest.json");
            if (manifest == null) {
                continue;
            }
            for (JsonNode image : JSON.readTree(manifest).path("images")) {
                if (!image.has("refused") && image.path("size").asLong() == size
                        && sha.equals(image.path("sha256").asText())) {
                    good++;
                }
            }
        }
        return good;
    }

    // ---------------------------------------------------------------- measuring

    /**
     * Where a generation's time goes, seen from the wire, which no load on the machine distorts
     * differently for the two sides: each PUT's duration (request head to full answer at
     * s3proxy's forwarder) and the gap between one object's PUT and the next of the same
     * generation (one worker, one after another: the next GET, plus, in the bundle, the ledger's
     * commits). The image-to-manifest gap is the bundle's own: the ledger, then manifest.json.
     * Means, which throughput follows, and medians, which the 2-core machine's queueing does not.
     */
    private String perObject(Set<String> bundleIds) {
        List<Double> barePut = new ArrayList<>();
        List<Double> bareGap = new ArrayList<>();
        List<Double> bundlePut = new ArrayList<>();
        List<Double> bundleGap = new ArrayList<>();
        List<Double> manifestGap = new ArrayList<>();
        List<Double> manifestPut = new ArrayList<>();
        Map<String, List<S3ProxyServer.Write>> bare = new HashMap<>();
        for (S3ProxyServer.Write w : s3.writes(BARE_BUCKET, "bare/round")) {
            bare.computeIfAbsent(w.key().substring(0, w.key().lastIndexOf('/')), k -> new ArrayList<>()).add(w);
        }
        for (List<S3ProxyServer.Write> generation : bare.values()) {
            timings(generation, barePut, bareGap, null, null);
        }
        Map<String, List<S3ProxyServer.Write>> bundle = new HashMap<>();
        for (S3ProxyServer.Write w : s3.writes(BUNDLE_BUCKET, BUNDLE_PREFIX)) {
            String id = w.key().substring(BUNDLE_PREFIX.length(), w.key().lastIndexOf('/'));
            if (bundleIds.contains(id)) {
                bundle.computeIfAbsent(id, k -> new ArrayList<>()).add(w);
            }
        }
        for (List<S3ProxyServer.Write> generation : bundle.values()) {
            timings(generation, bundlePut, bundleGap, manifestGap, manifestPut);
        }
        return "per object, ms, mean (median), bare / bundle:\n"
                + "  image PUT                         " + stats(barePut) + " / " + stats(bundlePut) + "\n"
                + "  image PUT end to next image PUT   " + stats(bareGap) + " / " + stats(bundleGap) + "\n"
                + "  last image PUT end to manifest    - / " + stats(manifestGap) + "\n"
                + "  manifest PUT                      - / " + stats(manifestPut);
    }

    private static void timings(List<S3ProxyServer.Write> generation, List<Double> put, List<Double> gap,
                                List<Double> manifestGap, List<Double> manifestPut) {
        generation.sort(Comparator.comparingLong(S3ProxyServer.Write::startOrder));
        for (int i = 0; i < generation.size(); i++) {
            S3ProxyServer.Write w = generation.get(i);
            boolean manifest = w.key().endsWith("manifest.json");
            (manifest ? manifestPut : put).add(millis(w.startedAt(), w.completedAt()));
            if (i > 0) {
                (manifest ? manifestGap : gap).add(millis(generation.get(i - 1).completedAt(), w.startedAt()));
            }
        }
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static String stats(List<Double> values) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        double mean = sorted.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%.1f (%.1f)", mean, sorted.get(sorted.size() / 2));
    }

    /** The largest heap occupancy a GC found ("120M->30M(256M)": 120), -1 when no GC ran. */
    static long peakHeapBeforeGcMb(Path gcLog) {
        long peak = -1;
        try {
            for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    long value = Long.parseLong(m.group(1));
                    peak = Math.max(peak, switch (m.group(2)) {
                        case "K" -> value / 1024;
                        case "G" -> value * 1024;
                        default -> value;
                    });
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return peak;
    }

    /** A field of /proc/PID/status in kB (VmHWM is the peak resident set), -1 off Linux. */
    static long procStatusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /**
     * CPU ms per thread family of a process (/proc/PID/task/TID/stat; the kernel keeps 15
     * characters of a Java thread's name, pool numbers dropped here so pools add up), empty off
     * Linux. Tells JIT and GC apart from route work, which a Java-level profiler does not show.
     */
    static Map<String, Long> threadCpuMs(long pid) {
        Map<String, Long> byFamily = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime and stime, in clock ticks of 10 ms
                    long ms = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
                    byFamily.merge(name.replaceAll("#[0-9]+|-?[0-9]+$", "").trim(), ms, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return byFamily;
    }

    private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> delta = new HashMap<>();
        after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
        return delta;
    }

    /**
     * CPU time of the three JVMs and of everything else on the machine, so a ratio on a shared
     * 2-core machine can be read: which process ate the cores, and whether another build did.
     * "bench" holds the image host, the s3proxy forwarder and the bare copier.
     */
    record Cpu(long benchMs, long s3proxyMs, long bundleMs, long machineMs) {

        static Cpu now(long bundlePid) {
            long s3proxy = ProcessHandle.current().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("s3proxy"))
                    .mapToLong(Cpu::cpuMs).sum();
            long bundle = ProcessHandle.of(bundlePid).map(Cpu::cpuMs).orElse(0L);
            return new Cpu(cpuMs(ProcessHandle.current()), s3proxy, bundle, machineBusyMs());
        }

        private static long cpuMs(ProcessHandle p) {
            return p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
        }

        /** Busy time of all cores (/proc/stat: user, nice, system, irq, softirq, steal), 0 off Linux. */
        private static long machineBusyMs() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long ticks = 0;
                for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                    ticks += Long.parseLong(f[i]);
                }
                return ticks * 10;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        /** CPU of processes other than these three: another build competing for the cores. */
        long othersMs() {
            return machineMs == 0 ? -1 : Math.max(0, machineMs - benchMs - s3proxyMs - bundleMs);
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(benchMs - earlier.benchMs, s3proxyMs - earlier.s3proxyMs, bundleMs - earlier.bundleMs,
                    machineMs - earlier.machineMs);
        }

        Cpu plus(Cpu other) {
            return new Cpu(benchMs + other.benchMs, s3proxyMs + other.s3proxyMs, bundleMs + other.bundleMs,
                    machineMs + other.machineMs);
        }
    }

    record Outcome(String target, int images, int expected, double seconds, long peakRssKb, long peakHeapMb,
                   Cpu cpu, boolean complete, String note) {

        double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    // ---------------------------------------------------------------- report

    private static void report(Outcome bare, Outcome bundle, Outcome large, Map<String, Long> bundleThreads,
                               String perObject) {
        double ratio = bare.imagesPerSecond() > 0 ? bundle.imagesPerSecond() / bare.imagesPerSecond() : 0;
        System.out.println();
        System.out.printf(Locale.ROOT, "%-14s %9s %8s %9s %6s %11s %12s %35s%n", "target", "images", "seconds",
                "images/s", "ratio", "peakRSS MB", "peakHeap MB", "cpu s bench/s3proxy/bundle/others");
        for (Outcome o : List.of(bare, bundle, large)) {
            System.out.printf(Locale.ROOT, "%-14s %9s %8.2f %9.1f %6s %11s %12s %35s%s%n", o.target(),
                    o.images() + "/" + o.expected(), o.seconds(), o.imagesPerSecond(),
                    o == bare ? "1.00" : o == bundle ? String.format(Locale.ROOT, "%.2f", ratio) : "-",
                    o.peakRssKb() < 0 ? "-" : Long.toString(o.peakRssKb() / 1024),
                    o.peakHeapMb() < 0 ? "-" : o.peakHeapMb() + "/" + BUNDLE_HEAP_MB,
                    String.format(Locale.ROOT, "%.1f/%.1f/%.1f/%.1f", o.cpu().benchMs() / 1e3,
                            o.cpu().s3proxyMs() / 1e3, o.cpu().bundleMs() / 1e3, o.cpu().othersMs() / 1e3),
                    o.note().isEmpty() ? "" : "  " + o.note());
        }
        if (!bundleThreads.isEmpty()) {
            StringBuilder top = new StringBuilder("bundle cpu by thread, measured rounds (s):");
            bundleThreads.entrySet().stream().filter(e -> e.getValue() >= 50)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(e -> top.append(String.format(Locale.ROOT, " [%s]=%.1f", e.getKey(), e.getValue() / 1e3)));
            System.out.println(top);
        }
        System.out.println(perObject);
        long peakRss = Math.max(bundle.peakRssKb(), large.peakRssKb()) / 1024;
        long peakHeap = Math.max(bundle.peakHeapMb(), large.peakHeapMb());
        System.out.println();
        System.out.printf(Locale.ROOT,
                "archive: bundle/bare=%.2f bundle=%.1f img/s bare=%.1f img/s large=%s peakRSS=%d MB peakHeap=%d/%s MB%n",
                ratio, bundle.imagesPerSecond(), bare.imagesPerSecond(), large.complete() ? "ok" : "FAILED",
                peakRss, peakHeap, BUNDLE_HEAP_MB);
        System.out.println("target bundle/bare >= 0.80: " + (ratio >= 0.8 ? "met" : "NOT met")
                + "; everything archived intact: " + (bare.complete() && bundle.complete() && large.complete() ? "yes" : "NO"));
    }

    // ---------------------------------------------------------------- settings

    record Settings(int generations, int imageKiB, int concurrency, int warmup, int rounds, int largeMiB,
                    int largeGenerations, int timeoutSeconds, boolean jfr, Map<String, String> bundleEnv,
                    String bareGet, boolean variantsOnly) {

        static Settings from(String[] args) {
            Map<String, String> given = new HashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    given.put(arg.substring(0, eq).replaceFirst("^-*(D)?(bench\\.)?", ""), arg.substring(eq + 1));
                }
            }
            Settings s = new Settings(
                    number(given, "generations", 100), number(given, "imageKiB", 256),
                    number(given, "concurrency", 2), number(given, "warmup", 100), number(given, "rounds", 3),
                    number(given, "largeMiB", 50), number(given, "largeGenerations", 2),
                    number(given, "timeoutSeconds", 300), Boolean.parseBoolean(value(given, "jfr", "false")),
                    pairs(value(given, "bundleEnv", "")), value(given, "bareGet", "jdk"),
                    Boolean.parseBoolean(value(given, "variantsOnly", "false")));
            if (s.generations < 1 || s.imageKiB < 1 || s.concurrency < 1 || s.warmup < 1 || s.rounds < 1
                    || s.largeMiB < 1 || s.largeGenerations < 1 || s.timeoutSeconds < 1
                    || !(s.bareGet.equals("jdk") || s.bareGet.equals("hc5"))) {
                throw new IllegalArgumentException("settings out of range: " + s);
            }
            return s;
        }

        private static String value(Map<String, String> given, String name, String fallback) {
            String v = given.get(name);
            if (v == null || v.isBlank()) {
                v = System.getProperty("bench." + name);
            }
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        /** "ARCHIVE_MAX_PER_SECOND=1000,ARCHIVE_REDRIVE_INTERVAL_MILLIS=600000" */
        private static Map<String, String> pairs(String text) {
            Map<String, String> pairs = new TreeMap<>();
            for (String pair : text.split(",")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    pairs.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                }
            }
            return pairs;
        }

        private static int number(Map<String, String> given, String name, int fallback) {
            return Integer.parseInt(value(given, name, Integer.toString(fallback)));
        }

        long imageBytes() {
            return imageKiB * 1024L;
        }

        long largeBytes() {
            return largeMiB * 1024L * 1024L;
        }

        @Override
        public String toString() {
            return rounds + " rounds of " + generations + " generations x " + IMAGES_PER_GENERATION + " images of "
                    + imageKiB + " KiB per side, concurrency " + concurrency + ", warm-up " + warmup
                    + " generations, large " + largeGenerations + " x " + largeMiB + " MiB, timeout "
                    + timeoutSeconds + " s per wait" + (jfr ? ", JFR on the bundle" : "")
                    + (bundleEnv.isEmpty() ? "" : ", bundle environment " + bundleEnv)
                    + (bareGet.equals("jdk") ? "" : ", bare GET with " + bareGet);
        }
    }
}
