package io.ideogramcamel.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The image host of a generation's result links, on a loopback address of the test's choosing
 * (a second host on 127.0.0.2 is a different origin for an allowlist) and a free port.
 *
 * <p>Each path answers by a script: what it serves ({@link #png}, {@link #image}, {@link #sized},
 * {@link #sizedChunked}, {@link #status}, {@link #redirect}) replaces the path's script, while
 * {@link #failFirst} and {@link #slow} add to the one already there. Unknown paths answer 404.
 * Every request is counted before it is answered, so a test can prove that none arrived.
 */
public final class ImageHost implements AutoCloseable {

    private static final int THREADS = 32;
    private static final long MAX_DELAY_MILLIS = 300_000;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String address;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    /** What a path serves; immutable but for the shared countdown of failFirst. */
    private record Script(Body body, int status, String location, long delayMillis,
                          AtomicInteger failuresLeft, int failStatus) {

        Script withFailures(int times, int status) {
            return new Script(body, this.status, location, delayMillis, new AtomicInteger(times), status);
        }

        Script withDelay(long millis) {
            return new Script(body, status, location, millis, failuresLeft, failStatus);
        }
    }

    /** A body: its bytes come fresh for each request, so a big one is never held in memory. */
    private record Body(String contentType, long length, boolean sendLength, BodySource source) {
    }

    @FunctionalInterface
    private interface BodySource {
        InputStream open();
    }

    private ImageHost(String loopbackAddress) throws IOException {
        InetAddress inet = InetAddress.getByName(loopbackAddress);
        if (!inet.isLoopbackAddress()) {
            throw new IllegalArgumentException("not a loopback address: " + loopbackAddress);
        }
        this.address = inet.getHostAddress();
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "image-host-" + address + "-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(inet, 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        // the JDK's dispatcher thread inherits daemon-ness from the thread that starts the server:
        // started from a daemon thread, a forgotten close() cannot keep the JVM alive
        Thread starter = new Thread(server::start, "image-host-start");
        starter.setDaemon(true);
        starter.start();
        try {
            starter.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        }
    }

    /** An image host on 127.0.0.1. */
    public static ImageHost start() throws IOException {
        return new ImageHost("127.0.0.1");
    }

    /** An image host on another loopback address, e.g. 127.0.0.2 for a host not on the allowlist. */
    public static ImageHost start(String loopbackAddress) throws IOException {
        return new ImageHost(loopbackAddress);
    }

    public String address() {
        return address;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://address:port}, without a trailing slash. */
    public String baseUrl() {
        return "http://" + address + ":" + port();
    }

    public String url(String path) {
        return baseUrl() + checkPath(path);
    }

    // ---------------------------------------------------------------- scripts

    /** Serves {@code bytes} as {@code image/png} with a Content-Length. */
    public ImageHost png(String path, byte[] bytes) {
        return image(path, bytes, "image/png");
    }

    /** Serves {@code bytes} with the given Content-Type (null: none) and a Content-Length. */
    public ImageHost image(String path, byte[] bytes, String contentType) {
        byte[] copy = bytes.clone();
        return serve(path, new Body(contentType, copy.length, true, () -> new java.io.ByteArrayInputStream(copy)));
    }

    /** As {@link #image}, but chunked, without a Content-Length: the archive spools it to a file. */
    public ImageHost chunked(String path, byte[] bytes, String contentType) {
        byte[] copy = bytes.clone();
        return serve(path, new Body(contentType, copy.length, false, () -> new java.io.ByteArrayInputStream(copy)));
    }

    /**
     * Serves {@link #sizedBody(long) the deterministic body} of {@code length} bytes with a
     * Content-Length, streamed: 50 MiB costs no heap. Its digest: {@link #sizedSha256(long)}.
     */
    public ImageHost sized(String path, long length, String contentType) {
        return serve(path, new Body(contentType, length, true, () -> sizedBody(length)));
    }

    /** As {@link #sized}, but chunked, without a Content-Length: a size limit must count bytes. */
    public ImageHost sizedChunked(String path, long length, String contentType) {
        return serve(path, new Body(contentType, length, false, () -> sizedBody(length)));
    }

    /** Always answers {@code status} (404, 410, 500…) with a short text body. */
    public ImageHost status(String path, int status) {
        scripts.put(checkPath(path), new Script(null, status, null, 0, new AtomicInteger(), 0));
        return this;
    }

    /** Always answers 302 to {@code location} (absolute, or a path on this host). */
    public ImageHost redirect(String path, String location) {
        scripts.put(checkPath(path), new Script(null, 302, location, 0, new AtomicInteger(), 0));
        return this;
    }

    /** The next {@code times} requests for the path answer {@code status}; then its script runs. */
    public ImageHost failFirst(String path, int times, int status) {
        if (times < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException("times " + times + ", status " + status);
        }
        scripts.compute(checkPath(path), (p, script) -> existing(p, script).withFailures(times, status));
        return this;
    }

    /** Every answer for the path (failures included) waits {@code millis} before its head is sent. */
    public ImageHost slow(String path, long millis) {
        if (millis < 0 || millis > MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException("delay " + millis + " ms: 0.." + MAX_DELAY_MILLIS);
        }
        scripts.compute(checkPath(path), (p, script) -> existing(p, script).withDelay(millis));
        return this;
    }

    private ImageHost serve(String path, Body body) {
        if (body.length() < 0) {
            throw new IllegalArgumentException("length " + body.length());
        }
        scripts.put(checkPath(path), new Script(body, 200, null, 0, new AtomicInteger(), 0));
        return this;
    }

    private static Script existing(String path, Script script) {
        if (script == null) {
            throw new IllegalStateException("register what " + path + " serves first");
        }
        return script;
    }

    private static String checkPath(String path) {
        if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
            throw new IllegalArgumentException("a path starting with '/', without query: " + path);
        }
        return path;
    }

    // ---------------------------------------------------------------- counters

    /** Requests that arrived for {@code path} (any method, any answer, unknown paths too). */
    public int requests(String path) {
        AtomicInteger count = counts.get(path);
        return count == null ? 0 : count.get();
    }

    public int totalRequests() {
        return total.get();
    }

    // ---------------------------------------------------------------- the deterministic body

    /**
     * {@code length} pseudo-random bytes that depend on the length only (SplitMix64 over the
     * word index), generated as read, behind a PNG signature (the archive sniffs it).
     */
    public static InputStream sizedBody(long length) {
        return new SizedBody(length);
    }

    /** Lower-case hex SHA-256 of {@link #sizedBody(long)}, computed without holding the body. */
    public static String sizedSha256(long length) {
        try (InputStream in = sizedBody(length)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class SizedBody extends InputStream {
        private static final byte[] PNG_SIGNATURE = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        private final long length;
        private long position;
        private long wordIndex = -1;
        private long word;

        SizedBody(long length) {
            this.length = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            for (int k = 0; k < n; k++) {
                long p = position + k;
                if ((p >>> 3) != wordIndex) {
                    wordIndex = p >>> 3;
                    word = splitMix64(wordIndex);
                }
                // the archive stores raster images only, recognised by their first bytes
                b[off + k] = p < PNG_SIGNATURE.length ? PNG_SIGNATURE[(int) p] : (byte) (word >>> ((p & 7) * 8));
            }
            position += n;
            return n;
        }

        private static long splitMix64(long index) {
            long z = (index + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }

    // ---------------------------------------------------------------- serving

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            total.incrementAndGet();
            exchange.getRequestBody().close();
            Script script = scripts.get(path);
            if (script == null) {
                text(exchange, 404);
                return;
            }
            if (script.delayMillis() > 0) {
                try {
                    Thread.sleep(script.delayMillis());
                } catch (InterruptedException e) {
                    return; // closing
                }
            }
            if (script.failuresLeft().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                text(exchange, script.failStatus());
            } else if (script.location() != null) {
                exchange.getResponseHeaders().set("Location", script.location());
                text(exchange, script.status());
            } else if (script.body() == null) {
                text(exchange, script.status());
            } else {
                body(exchange, script.body());
            }
        } catch (IOException e) {
            // the client went away mid-answer: nothing to tell it
        }
    }

    private static void body(HttpExchange exchange, Body body) throws IOException {
        if (body.contentType() != null) {
            exchange.getResponseHeaders().set("Content-Type", body.contentType());
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if (head) {
            if (body.sendLength()) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(body.length()));
            }
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        // the JDK server: 0 means chunked, -1 means no body
        exchange.sendResponseHeaders(200, body.sendLength() ? (body.length() == 0 ? -1 : body.length()) : 0);
        try (InputStream in = body.source().open(); OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private static void text(HttpExchange exchange, int status) throws IOException {
        byte[] text = ("status " + status + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        if (status == 204 || status == 304) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(text.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, text.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(text);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
