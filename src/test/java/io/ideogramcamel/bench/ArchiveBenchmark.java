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
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import io.ideogramcamel.testing.S3ProxyServer;
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
 * <p>Settings are system properties ({@code -Dbench.generations=100}) or {@code name=value}
 * arguments: generations, imageKiB, concurrency, warmup, largeMiB, largeGenerations,
 * timeoutSeconds, jfr. Exits 1 when either side did not archive every image intact.
 */
public final class ArchiveBenchmark {

    private static final int IMAGES_PER_GENERATION = 4;
    private static final String BARE_BUCKET = "bench-bare";
    private static final String BUNDLE_BUCKET = "bench-bundle";
    private static final String BUNDLE_PREFIX = "bench/";
    private static final String CONTENT_TYPE = "image/png";
    private static final String BUNDLE_HEAP = "256m";
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
        Settings settings = Settings.from(args);
        // Ctrl-C or a Maven timeout must not leave s3proxy or a bundle JVM running
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly),
                "bench-children"));
        int status;
        try {
            Path runDir = Files.createDirectories(Path.of("target", "bench",
                    "archive-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                    .toAbsolutePath();
            System.out.println("archive benchmark: " + settings + ", bundle -Xmx" + BUNDLE_HEAP
                    + ", files in " + runDir);
            try (IdeogramStandIn ideogram = new IdeogramStandIn();
                 S3ProxyServer s3 = S3ProxyServer.start();
                 ImageHost images = ImageHost.start("127.0.0.1")) {
                ArchiveBenchmark bench = new ArchiveBenchmark(settings, runDir, s3, images, ideogram);
                status = bench.run() ? 0 : 1;
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
        String smallSha = ImageHost.sizedSha256(settings.imageBytes());

        Outcome bare = bareCopy(smallSha);
        Outcome bundle = bundle(smallSha);
        Outcome large = large();

        report(bare, bundle, large);
        return bare.complete() && bundle.complete() && large.complete();
    }

    // ---------------------------------------------------------------- phase A: bare copy

    private Outcome bareCopy(String expectedSha) throws Exception {
        try (BareCopier copier = new BareCopier(s3.endpoint(), BARE_BUCKET, expectedSha, settings.imageBytes())) {
            runBare(copier, "warmup", settings.warmup());
            Cpu before = Cpu.now(null);
            long start = System.nanoTime();
            int copied = runBare(copier, "measured", settings.generations());
            double seconds = (System.nanoTime() - start) / 1e9;
            Cpu used = Cpu.now(null).minus(before);
            int expected = settings.generations() * IMAGES_PER_GENERATION;
            return new Outcome("bare copy", copied, expected, seconds, -1, -1, used, copied == expected,
                    copied == expected ? "" : (expected - copied) + " images not copied");
        }
    }

    /** One round: each worker copies a whole generation, its images one after another, as the bundle does. */
    private int runBare(BareCopier copier, String round, int generations) throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(settings.concurrency());
        List<Future<Integer>> done = new ArrayList<>();
        try {
            for (int g = 0; g < generations; g++) {
                String id = IdeogramStandIn.newGenerationId();
                List<String> urls = new ArrayList<>();
                for (int i = 0; i < IMAGES_PER_GENERATION; i++) {
                    String path = "/bare/" + round + "/" + id + "/" + i;
                    images.sized(path, settings.imageBytes(), CONTENT_TYPE);
                    urls.add(images.url(path));
                }
                done.add(workers.submit(() -> copier.copyGeneration("bare/" + round + "/" + id + "/", urls)));
            }
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
            } catch (java.util.concurrent.ExecutionException e) {
                System.out.println("bare copy failed: " + e.getCause());
            }
        }
        return copied;
    }

    /** What the bundle does per image, and nothing else: GET, stream into PUT, hash on the way. */
    private static final class BareCopier implements AutoCloseable {
        private final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        private final S3Client s3;
        private final String bucket;
        private final String expectedSha;
        private final long expectedSize;

        BareCopier(String endpoint, String bucket, String expectedSha, long expectedSize) {
            // built as the bundle's S3ClientFactory builds its client, so both pay the same SDK
            this.s3 = S3Client.builder()
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                    .endpointOverride(URI.create(endpoint))
                    .forcePathStyle(true)
                    .build();
            this.bucket = bucket;
            this.expectedSha = expectedSha;
            this.expectedSize = expectedSize;
        }

        int copyGeneration(String keyPrefix, List<String> urls) throws Exception {
            for (int i = 0; i < urls.size(); i++) {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(urls.get(i)))
                        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                try (InputStream body = response.body(); DigestInputStream in = new DigestInputStream(body, sha)) {
                    if (response.statusCode() != 200) {
                        throw new IOException("GET " + urls.get(i) + ": " + response.statusCode());
                    }
                    long length = response.headers().firstValueAsLong("Content-Length")
                            .orElseThrow(() -> new IOException("no Content-Length"));
                    String key = keyPrefix + i + ".png";
                    s3.putObject(b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE).contentLength(length),
                            RequestBody.fromInputStream(in, length));
                    if (length != expectedSize || !HexFormat.of().formatHex(sha.digest()).equals(expectedSha)) {
                        throw new IOException(key + ": wrong size or sha256");
                    }
                }
            }
            return urls.size();
        }

        @Override
        public void close() {
            s3.close();
        }
    }

    // ---------------------------------------------------------------- phase B: the bundle

    /** CPU of the bundle's threads during the measured round, by thread family. */
    private Map<String, Long> bundleThreads = Map.of();

    private Outcome bundle(String expectedSha) throws Exception {
        Path install = Files.createDirectories(runDir.resolve("bundle"));
        Round measured;
        Optional<Instant> last;
        Cpu used;
        long rssKb;
        try (BundleProcess bundle = BundleProcess.start(install, environment(install, settings.jfr()))) {
            Round warmup = deliverRound(bundle, "warmup", settings.warmup(), settings.imageBytes(), IMAGES_PER_GENERATION);
            awaitManifests(bundle, warmup);
            Cpu before = Cpu.now(bundle.pid());
            Map<String, Long> threadsBefore = threadCpuMs(bundle.pid());
            measured = deliverRound(bundle, "measured", settings.generations(), settings.imageBytes(),
                    IMAGES_PER_GENERATION);
            last = awaitManifests(bundle, measured);
            used = Cpu.now(bundle.pid()).minus(before);
            bundleThreads = minus(threadCpuMs(bundle.pid()), threadsBefore);
            rssKb = procStatusKb(bundle.pid(), "VmHWM");
        }
        int archived = verify(measured, settings.imageBytes(), expectedSha);
        int expected = measured.ids().size() * IMAGES_PER_GENERATION;
        double seconds = Duration.between(measured.start(), last.orElse(Instant.now())).toNanos() / 1e9;
        boolean complete = archived == expected && last.isPresent();
        return new Outcome("bundle", archived, expected, seconds, rssKb, peakHeapBeforeGcMb(install.resolve("gc.log")),
                used, complete, complete ? "" : (expected - archived) + " images not archived, see "
                + install.resolve("bundle.log"));
    }

    // ---------------------------------------------------------------- phase C: 50 MiB images

    private Outcome large() throws Exception {
        Path install = Files.createDirectories(runDir.resolve("large"));
        long size = settings.largeBytes();
        String expectedSha = ImageHost.sizedSha256(size);
        Round round;
        Optional<Instant> last;
        Cpu used;
        long rssKb;
        try (BundleProcess bundle = BundleProcess.start(install, environment(install, false))) {
            Cpu before = Cpu.now(bundle.pid());
            // delivered together: with concurrency 2 both 50 MiB streams are in flight at once
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

    private Map<String, String> environment(Path install, boolean jfr) {
        Map<String, String> env = new HashMap<>();
        env.put("IDEOGRAM_JWKS_URL", ideogram.jwksUrl());
        env.put("STORAGE_S3_BUCKET", BUNDLE_BUCKET);
        env.put("STORAGE_S3_PREFIX", BUNDLE_PREFIX);
        env.put("STORAGE_S3_ENDPOINT", s3.endpoint());
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("IDEOGRAM_IMAGE_HOSTS", "127.0.0.1");
        env.put("ARCHIVE_CONCURRENCY", Integer.toString(settings.concurrency()));
        // the GC log gives the heap actually used, which RSS (heap + metaspace + code + threads) hides
        String options = "-Xlog:gc:file=" + install.resolve("gc.log");
        if (jfr) {
            options += " -XX:StartFlightRecording=filename=" + install.resolve("bundle.jfr") + ",settings=profile";
        }
        env.put("JAVA_TOOL_OPTIONS", options);
        return env;
    }

    private record Round(Instant start, List<String> ids, String keyPrefix) {
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
        return new Round(start, ids, BUNDLE_PREFIX);
    }

    /**
     * Waits, bounded, for every generation's manifest.json, and returns when the last one was
     * written as s3proxy's forwarder saw the answer complete: exact, whatever the polling interval.
     */
    private Optional<Instant> awaitManifests(BundleProcess bundle, Round round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.timeoutSeconds());
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (String id : round.ids()) {
            wanted.add(round.keyPrefix() + id + "/manifest.json");
        }
        while (true) {
            Instant last = null;
            int found = 0;
            for (S3ProxyServer.Write w : s3.writes(BUNDLE_BUCKET, round.keyPrefix())) {
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

    /** Images listed as stored, with the right size and sha256, in the manifests of the round. */
    private int verify(Round round, long size, String sha) throws IOException {
        int good = 0;
        for (String id : round.ids()) {
            byte[] manifest = s3.read(BUNDLE_BUCKET, round.keyPrefix() + id + "/manifest.json");
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

    /** The largest heap occupancy a GC found ("120M->30M(256M)": 120), -1 when no GC ran. */
    static long peakHeapBeforeGcMb(Path gcLog) {
        long peak = -1;
        try {
            for (String line : Files.readAllLines(gcLog, StandardCharsets.UTF_8)) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    peak = Math.max(peak, megabytes(Long.parseLong(m.group(1)), m.group(2)));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return peak;
    }

    private static long megabytes(long value, String unit) {
        return switch (unit) {
            case "K" -> value / 1024;
            case "G" -> value * 1024;
            default -> value;
        };
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
     * characters of a Java thread's name, digits dropped here so pools add up), empty off Linux.
     * Tells JIT and GC apart from route work, which no Java-level profiler shows as plainly.
     */
    static Map<String, Long> threadCpuMs(long pid) {
        Map<String, Long> byFamily = new HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // fields[11], fields[12]: utime, stime in clock ticks (100 per second on Linux)
                    long ms = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
                    byFamily.merge(name.replaceAll("[0-9]+", "").trim(), ms, Long::sum);
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
     * CPU time of the three JVMs, so a ratio on a busy 2-core machine can be read: which process
     * ate the cores. "bench" holds the image host, the s3proxy forwarder and the bare copier.
     */
    record Cpu(long benchMs, long s3proxyMs, long bundleMs) {

        static Cpu now(Long bundlePid) {
            long s3proxy = ProcessHandle.current().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("s3proxy"))
                    .mapToLong(Cpu::cpuMs).sum();
            long bundle = bundlePid == null ? 0 : ProcessHandle.of(bundlePid).map(Cpu::cpuMs).orElse(0L);
            return new Cpu(cpuMs(ProcessHandle.current()), s3proxy, bundle);
        }

        private static long cpuMs(ProcessHandle p) {
            return p.info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(benchMs - earlier.benchMs, s3proxyMs - earlier.s3proxyMs, bundleMs - earlier.bundleMs);
        }
    }

    record Outcome(String target, int images, int expected, double seconds, long peakRssKb, long peakHeapMb,
                   Cpu cpu, boolean complete, String note) {

        double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    // ---------------------------------------------------------------- report

    private void report(Outcome bare, Outcome bundle, Outcome large) {
        double ratio = bare.imagesPerSecond() > 0 ? bundle.imagesPerSecond() / bare.imagesPerSecond() : 0;
        System.out.println();
        System.out.printf(Locale.ROOT, "%-16s %7s %8s %9s %6s %11s %12s %26s%n", "target", "images", "seconds",
                "images/s", "ratio", "peakRSS MB", "peakHeap MB", "cpu s bench/s3proxy/bundle");
        for (Outcome o : List.of(bare, bundle, large)) {
            long heap = o.peakHeapMb();
            System.out.printf(Locale.ROOT, "%-16s %7s %8.2f %9.1f %6s %11s %12s %26s%s%n", o.target(),
                    o.images() + "/" + o.expected(), o.seconds(), o.imagesPerSecond(),
                    o == bare ? "1.00" : o == bundle ? String.format(Locale.ROOT, "%.2f", ratio) : "-",
                    o.peakRssKb() < 0 ? "-" : Long.toString(o.peakRssKb() / 1024),
                    heap < 0 ? "-" : heap + "/" + BUNDLE_HEAP.replace("m", ""),
                    String.format(Locale.ROOT, "%.1f/%.1f/%.1f", o.cpu().benchMs() / 1e3, o.cpu().s3proxyMs() / 1e3,
                            o.cpu().bundleMs() / 1e3),
                    o.note().isEmpty() ? "" : "  " + o.note());
        }
        if (!bundleThreads.isEmpty()) {
            StringBuilder top = new StringBuilder("bundle cpu by thread (measured round, s):");
            bundleThreads.entrySet().stream().filter(e -> e.getValue() >= 50)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(10)
                    .forEach(e -> top.append(String.format(Locale.ROOT, " %s=%.1f", e.getKey(), e.getValue() / 1e3)));
            System.out.println(top);
        }
        long peakRss = Math.max(bundle.peakRssKb(), large.peakRssKb()) / 1024;
        long peakHeap = Math.max(bundle.peakHeapMb(), large.peakHeapMb());
        System.out.println();
        System.out.printf(Locale.ROOT,
                "archive: bundle/bare=%.2f bundle=%.1f img/s bare=%.1f img/s large=%s peakRSS=%d MB peakHeap=%d/%s MB%n",
                ratio, bundle.imagesPerSecond(), bare.imagesPerSecond(), large.complete() ? "ok" : "FAILED",
                peakRss, peakHeap, BUNDLE_HEAP.replace("m", ""));
        System.out.println("target: bundle/bare >= 0.80 " + (ratio >= 0.8 ? "met" : "NOT met")
                + "; complete: " + (bare.complete() && bundle.complete() && large.complete() ? "yes" : "NO"));
    }

    // ---------------------------------------------------------------- settings

    record Settings(int generations, int imageKiB, int concurrency, int warmup, int largeMiB, int largeGenerations,
                    int timeoutSeconds, boolean jfr) {

        static Settings from(String[] args) {
            Map<String, String> given = new HashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq > 0) {
                    given.put(arg.substring(0, eq).replaceFirst("^-*(bench\\.)?", ""), arg.substring(eq + 1));
                }
            }
            Settings s = new Settings(
                    number(given, "generations", 100), number(given, "imageKiB", 256),
                    number(given, "concurrency", 2), number(given, "warmup", 20),
                    number(given, "largeMiB", 50), number(given, "largeGenerations", 2),
                    number(given, "timeoutSeconds", 300),
                    Boolean.parseBoolean(value(given, "jfr", "false")));
            if (s.generations < 1 || s.imageKiB < 1 || s.concurrency < 1 || s.warmup < 0 || s.largeMiB < 1
                    || s.largeGenerations < 1 || s.timeoutSeconds < 1) {
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
            return "generations=" + generations + " x " + IMAGES_PER_GENERATION + " images of " + imageKiB
                    + " KiB, concurrency=" + concurrency + ", warmup=" + warmup + " generations, large="
                    + largeGenerations + " x " + largeMiB + " MiB, timeout=" + timeoutSeconds + " s/phase"
                    + (jfr ? ", JFR on the bundle" : "");
        }
    }
}
