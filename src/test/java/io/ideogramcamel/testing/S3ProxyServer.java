package io.ideogramcamel.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A real S3 for tests: s3proxy 4.1.0 with its filesystem backend, run as a child process
 * ({@code java -jar}) because its uber-jar carries its own Jetty, Jackson and logback, which would
 * clash with ours on one classpath.
 *
 * <p>Clients talk to {@link #endpoint()}, which is not s3proxy itself but a recording forwarder in
 * front of it. s3proxy's own logs cannot prove "written exactly once": at {@code LOG_LEVEL=debug}
 * it prints one {@code request: ...{PUT@... http://host/bucket/key HTTP/1.1}} line when a request
 * arrives and a line only for error answers, so a PUT that failed is indistinguishable from one
 * that succeeded, and nothing says when the object was committed. The forwarder copies bytes
 * untouched in both directions and follows the HTTP/1.1 framing on the side (Content-Length,
 * chunked transfer coding, {@code 100 Continue} interim answers, HEAD/204/304 without body,
 * read-until-close), so it sees every request with the status s3proxy answered.
 * A write is an object PUT (plain or copy) or a CompleteMultipartUpload answered 2xx (and, for
 * the latter, without an {@code <Error>} in the 200 body, which S3 permits); part uploads are not
 * writes. Every exchange takes two ticks of one clock: when its request head arrived, and when its
 * answer was complete (ticked before the last bytes go on to the client), so
 * {@link Write#startedAfter(Write)} never fails for a client that waited for the earlier answer.
 *
 * <p>Verified here (TestServersTest) with the AWS SDK v2 S3Client 2.41.28 and its Apache HTTP
 * client, as Camel uses it: {@code endpointOverride(endpoint())}, {@code forcePathStyle(true)},
 * region us-east-1, against {@code s3proxy.authorization=none}. Both
 * {@code AnonymousCredentialsProvider} and static dummy credentials work (the signature is ignored).
 * A putObject of 6 MiB from {@code RequestBody.fromInputStream} with its length goes out with
 * {@code Expect: 100-continue}, {@code Content-Encoding: aws-chunked},
 * {@code x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER} (anonymous:
 * {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}), a CRC32 trailer and a Content-Length of the encoded
 * body, never {@code Transfer-Encoding: chunked}; a body of unknown length
 * ({@code fromContentProvider} without one) is measured by the SDK first and goes out the same way
 * (so it is read whole before sending). s3proxy decodes aws-chunked and stores the
 * bytes identical; each put is one recorded write. A multipart upload is one write, at completion.
 * A JDK-client PUT with a chunked transfer coding passes too. While {@link #stop() stopped}, a put
 * fails with connection refused; after {@link #restart()} the old objects are there.
 *
 * <p>One case is followed but not exercised: an {@code Expect: 100-continue} request answered
 * with a final status before any body byte is taken as body-less (clients then skip the body).
 * s3proxy does that only now and then (a 2 MiB PUT to a missing bucket), and against it, forwarder
 * or not, the JDK client's next request on that connection sometimes gets no answer. Should a
 * client send the body anyway, the recorder reports a gap instead of miscounting.
 */
public final class S3ProxyServer implements AutoCloseable {

    /** What kind of request wrote the object. */
    public enum Operation { PUT, COPY, COMPLETE_MULTIPART_UPLOAD }

    /**
     * One request as the forwarder saw it. {@code status} is 0 when no complete answer came (the
     * connection was cut, or the server was stopped). Header names are lower case, repeated
     * headers joined with commas; {@code responseBodyStart} holds up to 1 KiB of a non-GET answer.
     * {@code startOrder} (request head arrived) and {@code endOrder} (answer complete) are ticks of
     * one clock shared by all connections.
     */
    public record Exchange(String method, String target, String bucket, String key,
                           Map<String, String> query, Map<String, String> requestHeaders,
                           long requestBodyBytes, int status, Map<String, String> responseHeaders,
                           String responseBodyStart,
                           long startOrder, long endOrder, Instant startedAt, Instant completedAt) {
    }

    /** An object that exists because this request succeeded. */
    public record Write(String bucket, String key, Operation operation,
                        long startOrder, long endOrder, Instant startedAt, Instant completedAt,
                        Exchange exchange) {

        /** True when this request arrived after {@code earlier}'s answer was complete. */
        public boolean startedAfter(Write earlier) {
            return startOrder > earlier.endOrder;
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int RESPONSE_BODY_START_BYTES = 1024;
    // sub-resources whose PUT changes metadata, not the object's content
    private static final Set<String> NOT_OBJECT_WRITES = Set.of(
            "uploadId", "partNumber", "acl", "tagging", "retention", "legal-hold", "attributes", "restore");

    static {
        // load the forwarder's classes now: a concurrent build rewriting target/test-classes would
        // otherwise break the first connection mid-test instead of failing here, at the start
        for (Class<?> c : new Class<?>[] {Connection.class, Connection.RequestSide.class, Connection.ResponseSide.class,
                Pending.class, Exchange.class, Write.class, Operation.class}) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
        try {
            new MessageParser(new MessageParser.Handler() {
                @Override
                public long head(String startLine, Map<String, String> headers) {
                    return 1;
                }

                @Override
                public void body(byte[] b, int off, int len) {
                }

                @Override
                public void end() {
                }
            }).feed("GET / HTTP/1.1\r\n\r\nx".getBytes(StandardCharsets.ISO_8859_1), 0, 19);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Path jar;
    private final Path baseDir;
    private final Path dataDir;
    private final Path propertiesFile;
    private final Path logFile;
    private final HttpClient direct = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final AtomicLong clock = new AtomicLong();
    private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
    private final List<String> gaps = Collections.synchronizedList(new ArrayList<>());
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Thread shutdownHook;

    private volatile int port;
    private volatile int backendPort;
    private volatile Process process;
    private volatile ServerSocket listener;

    private S3ProxyServer(Path jar) throws IOException {
        this.jar = jar;
        this.baseDir = Files.createTempDirectory("s3proxy-test");
        this.dataDir = Files.createDirectories(baseDir.resolve("data"));
        this.propertiesFile = baseDir.resolve("s3proxy.properties");
        this.logFile = baseDir.resolve("s3proxy.log");
        // a test JVM that ends without close() must not leave s3proxy running or its files behind
        this.shutdownHook = new Thread(() -> {
            killQuietly();
            deleteRecursively(baseDir);
        }, "s3proxy-shutdown");
    }

    /** Starts s3proxy and its recording forwarder; returns once it answers (at most 60 s). */
    public static S3ProxyServer start() throws IOException {
        Path jar = Path.of(System.getProperty("s3proxy.jar", Path.of(System.getProperty("user.home"),
                ".m2", "repository", "org", "gaul", "s3proxy", "4.1.0",
                "s3proxy-4.1.0-jar-with-dependencies.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("s3proxy jar not found at " + jar + " (set -Ds3proxy.jar)");
        }
        S3ProxyServer server = new S3ProxyServer(jar);
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            server.launch();
            server.listen(0);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** {@code http://127.0.0.1:port}: use with path-style addressing. Stable across restarts. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** s3proxy's stdout and stderr, across restarts: look here when a test fails strangely. */
    public Path logFile() {
        return logFile;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * An S3 outage: refuses new connections on {@link #endpoint()}, cuts open ones and kills
     * s3proxy. The stored objects stay on disk. A request cut in flight is recorded with status 0
     * and never counted as a write, though s3proxy may have stored its object: {@link #read} tells.
     */
    public synchronized void stop() {
        ServerSocket l = listener;
        listener = null;
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
        for (Connection c : connections) {
            c.close();
        }
        killQuietly();
    }

    /** Starts s3proxy again on the same endpoint and data directory; returns once it answers. */
    public synchronized void restart() throws IOException {
        stop();
        launch();
        listen(port);
    }

    public boolean isRunning() {
        Process p = process;
        return listener != null && p != null && p.isAlive();
    }

    @Override
    public synchronized void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook kills the process
        }
        deleteRecursively(baseDir);
    }

    // ---------------------------------------------------------------- the record

    /** Every request completed (or cut) so far, in the order their answers completed. */
    public List<Exchange> exchanges() {
        List<Exchange> copy;
        synchronized (exchanges) {
            copy = new ArrayList<>(exchanges);
        }
        // two connections may tick and append in opposite orders
        copy.sort(Comparator.comparingLong(Exchange::endOrder));
        return copy;
    }

    /** Every successful object write so far, in the order their answers completed. */
    public List<Write> writes() {
        List<Write> writes = new ArrayList<>();
        for (Exchange e : exchanges()) {
            Operation operation = writeOperation(e);
            if (operation != null) {
                writes.add(new Write(e.bucket(), e.key(), operation, e.startOrder(), e.endOrder(),
                        e.startedAt(), e.completedAt(), e));
            }
        }
        writes.sort(Comparator.comparingLong(Write::endOrder));
        return writes;
    }

    /** Successful writes to keys of {@code bucket} starting with {@code keyPrefix}. */
    public List<Write> writes(String bucket, String keyPrefix) {
        return writes().stream()
                .filter(w -> w.bucket().equals(bucket) && w.key().startsWith(keyPrefix))
                .toList();
    }

    public int writeCount(String bucket, String key) {
        return (int) writes().stream().filter(w -> w.bucket().equals(bucket) && w.key().equals(key)).count();
    }

    /**
     * Connections whose traffic the recorder could not follow (their bytes were still forwarded
     * untouched). Empty means {@link #writes()} is complete: assert it before "exactly once".
     */
    public List<String> recordingGaps() {
        synchronized (gaps) {
            return List.copyOf(gaps);
        }
    }

    private static Operation writeOperation(Exchange e) {
        if (e.status() < 200 || e.status() > 299 || e.bucket() == null || e.key() == null || e.key().isEmpty()) {
            return null;
        }
        if (e.method().equals("PUT")) {
            if (e.query().keySet().stream().anyMatch(NOT_OBJECT_WRITES::contains)) {
                return null;
            }
            return e.requestHeaders().containsKey("x-amz-copy-source") ? Operation.COPY : Operation.PUT;
        }
        if (e.method().equals("POST") && e.query().containsKey("uploadId")
                && (e.responseBodyStart() == null || !e.responseBodyStart().contains("<Error>"))) {
            return Operation.COMPLETE_MULTIPART_UPLOAD;
        }
        return null;
    }

    // ---------------------------------------------------------------- direct access (not recorded)

    public void createBucket(String bucket) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(backendUri("/" + encodePath(bucket), null))
                .PUT(HttpRequest.BodyPublishers.noBody()));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("create bucket " + bucket + ": " + response.statusCode() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /** The stored object's bytes, or null when there is no such object. */
    public byte[] read(String bucket, String key) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(objectUri(bucket, key)).GET());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("read " + bucket + "/" + key + ": " + response.statusCode());
        }
        return response.body();
    }

    /** The stored object's Content-Type, or null when there is no such object. */
    public String contentType(String bucket, String key) {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(objectUri(bucket, key))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (response.statusCode() == 404) {
            return null;
        }
        return response.headers().firstValue("Content-Type").orElse(null);
    }

    /** Keys in {@code bucket} starting with {@code prefix}, in S3's (lexicographic) order. */
    public List<String> keys(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            StringBuilder query = new StringBuilder("list-type=2&prefix=").append(encodeQuery(prefix));
            if (token != null) {
                query.append("&continuation-token=").append(encodeQuery(token));
            }
            HttpResponse<byte[]> response = send(HttpRequest.newBuilder(
                    backendUri("/" + encodePath(bucket), query.toString())).GET());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("list " + bucket + ": " + response.statusCode() + " "
                        + new String(response.body(), StandardCharsets.UTF_8));
            }
            Document doc = parseXml(response.body());
            NodeList contents = doc.getElementsByTagName("Contents");
            for (int i = 0; i < contents.getLength(); i++) {
                keys.add(((Element) contents.item(i)).getElementsByTagName("Key").item(0).getTextContent());
            }
            boolean truncated = "true".equals(text(doc, "IsTruncated"));
            token = truncated ? text(doc, "NextContinuationToken") : null;
        } while (token != null);
        return keys;
    }

    private URI objectUri(String bucket, String key) {
        return backendUri("/" + encodePath(bucket) + "/" + encodePath(key), null);
    }

    private URI backendUri(String rawPath, String rawQuery) {
        return URI.create("http://127.0.0.1:" + backendPort + rawPath + (rawQuery == null ? "" : "?" + rawQuery));
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) {
        try {
            return direct.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("s3proxy did not answer (stopped?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Document parseXml(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            throw new IllegalStateException("unreadable listing", e);
        }
    }

    private static String text(Document doc, String tag) {
        NodeList nodes = doc.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    // S3 keys may hold any UTF-8: encode all but unreserved characters (and '/', which the key keeps)
    private static String encodePath(String s) {
        return percentEncode(s, true);
    }

    private static String encodeQuery(String s) {
        return percentEncode(s, false);
    }

    private static String percentEncode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- the child process

    private void launch() throws IOException {
        IOException last = null;
        // a free port can be taken by someone else before s3proxy binds it: try a few
        for (int attempt = 0; attempt < 3; attempt++) {
            backendPort = BundleProcess.freePort();
            Files.writeString(propertiesFile, String.join("\n",
                    "s3proxy.authorization=none",
                    "s3proxy.endpoint=http://127.0.0.1:" + backendPort,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + dataDir,
                    ""));
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", jar.toString(), "--properties", propertiesFile.toString())
                    .directory(baseDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            builder.environment().put("LOG_LEVEL", "info");
            process = builder.start();
            try {
                awaitUp();
                return;
            } catch (IOException e) {
                last = e;
                killQuietly();
            }
        }
        throw last;
    }

    private void awaitUp() throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("s3proxy exited with " + process.exitValue() + "; log:\n" + logTail());
            }
            try {
                direct.send(HttpRequest.newBuilder(backendUri("/", null)).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for s3proxy", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for s3proxy", e);
            }
        }
        throw new IOException("s3proxy did not answer within " + START_TIMEOUT + "; log:\n" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void killQuietly() {
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroyForcibly();
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    // ---------------------------------------------------------------- the recording forwarder

    private void listen(int wantedPort) throws IOException {
        ServerSocket socket = new ServerSocket();
        // the endpoint must survive restart(): rebind the very port clients were given
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 50);
        port = socket.getLocalPort();
        listener = socket;
        Thread accept = new Thread(() -> acceptLoop(socket), "s3proxy-forwarder-accept");
        accept.setDaemon(true);
        accept.start();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // closed by stop()
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), 5000);
                Connection connection = new Connection(client, upstream);
                connections.add(connection);
                connection.start();
            } catch (IOException e) {
                closeQuietly(client);
            } catch (Throwable e) {
                // a dead accept thread would leave clients queued on an open port, hanging: refuse this one, go on
                gaps.add("accepting a connection: " + e);
                closeQuietly(client);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** A request on its way, until its final answer is complete. */
    private static final class Pending {
        String method;
        String target;
        Map<String, String> headers;
        long startOrder;
        Instant startedAt;
        long requestBytes;
        boolean requestComplete;
        boolean continued;
        int status;
        Map<String, String> responseHeaders = Map.of();
        final ByteArrayOutputStream responseStart = new ByteArrayOutputStream();
    }

    /** One client connection and its upstream twin; both directions parse under this lock. */
    private final class Connection {
        private final Socket client;
        private final Socket upstream;
        private final Deque<Pending> inFlight = new ArrayDeque<>();
        private final MessageParser requests = new MessageParser(new RequestSide());
        private final MessageParser responses = new MessageParser(new ResponseSide());
        private Pending receiving;
        private boolean interimResponse;
        private boolean broken;
        private boolean closed;
        private int directionsDone;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pipe(client, upstream, true);
            pipe(upstream, client, false);
        }

        private void pipe(Socket from, Socket to, boolean fromClient) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[64 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        // observe first: an answer's end is ticked before the client can react to it
                        observe(fromClient, buffer, n);
                        out.write(buffer, 0, n);
                    }
                    if (!fromClient) {
                        serverClosed();
                    }
                    // pass a half-close on; the other direction may still be carrying an answer
                    to.shutdownOutput();
                    directionDone();
                } catch (IOException e) {
                    close();
                } catch (Throwable e) {
                    gaps.add("forwarding: " + e);
                    close();
                }
            }, fromClient ? "s3proxy-forwarder-request" : "s3proxy-forwarder-response");
            t.setDaemon(true);
            t.start();
        }

        private synchronized void observe(boolean fromClient, byte[] buffer, int n) {
            if (broken || closed || n == 0) {
                return;
            }
            try {
                (fromClient ? requests : responses).feed(buffer, 0, n);
            } catch (IOException | RuntimeException e) {
                broken = true;
                gaps.add("connection from port " + client.getPort() + ": " + e.getMessage());
            }
        }

        private synchronized void serverClosed() {
            if (!broken && !closed) {
                // an answer cut short is not a gap: close() records its request with status 0
                responses.closed();
            }
        }

        private void directionDone() {
            boolean both;
            synchronized (this) {
                both = ++directionsDone == 2;
            }
            if (both) {
                close();
            }
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(client);
            closeQuietly(upstream);
            connections.remove(this);
            // requests that never got a complete answer: recorded, but never as writes
            while (!inFlight.isEmpty()) {
                Pending p = inFlight.pollFirst();
                p.status = 0;
                record(p);
            }
        }

        private void record(Pending p) {
            Instant completedAt = Instant.now();
            long endOrder = clock.incrementAndGet();
            String target = p.target;
            String rawPath = target;
            String rawQuery = "";
            if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
                int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
                rawPath = slash < 0 ? "/" : rawPath.substring(slash);
            }
            int q = rawPath.indexOf('?');
            if (q >= 0) {
                rawQuery = rawPath.substring(q + 1);
                rawPath = rawPath.substring(0, q);
            }
            String path = percentDecode(rawPath);
            String bucket = null;
            String key = null;
            if (path.length() > 1) {
                int slash = path.indexOf('/', 1);
                bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
                key = slash < 0 ? null : path.substring(slash + 1);
            }
            Map<String, String> query = new LinkedHashMap<>();
            for (String pair : rawQuery.split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    query.put(percentDecode(eq < 0 ? pair : pair.substring(0, eq)),
                            eq < 0 ? "" : percentDecode(pair.substring(eq + 1)));
                }
            }
            String responseStart = p.responseStart.size() == 0 ? null
                    : p.responseStart.toString(StandardCharsets.UTF_8);
            exchanges.add(new Exchange(p.method, target, bucket, key, Map.copyOf(query), Map.copyOf(p.headers),
                    p.requestBytes, p.status, Map.copyOf(p.responseHeaders), responseStart, p.startOrder, endOrder, p.startedAt, completedAt));
        }

        private final class RequestSide implements MessageParser.Handler {
            @Override
            public long head(String startLine, Map<String, String> headers) throws IOException {
                String[] parts = startLine.split(" ");
                if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                    throw new IOException("not an HTTP/1.x request: " + abbreviate(startLine));
                }
                Pending p = new Pending();
                p.method = parts[0];
                p.target = parts[1];
                p.headers = headers;
                p.startOrder = clock.incrementAndGet();
                p.startedAt = Instant.now();
                inFlight.addLast(p);
                receiving = p;
                if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                    return MessageParser.CHUNKED;
                }
                String length = headers.get("content-length");
                return length == null ? MessageParser.NONE : Long.parseLong(length.trim());
            }

            @Override
            public void body(byte[] b, int off, int len) {
                receiving.requestBytes += len;
            }

            @Override
            public void end() {
                receiving.requestComplete = true;
            }
        }

        private final class ResponseSide implements MessageParser.Handler {
            @Override
            public long head(String startLine, Map<String, String> headers) throws IOException {
                String[] parts = startLine.split(" ", 3);
                if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                    throw new IOException("not an HTTP/1.x response: " + abbreviate(startLine));
                }
                int status = Integer.parseInt(parts[1]);
                Pending p = inFlight.peekFirst();
                if (p == null) {
                    throw new IOException("an answer (" + status + ") to no request");
                }
                if (status == 101) {
                    throw new IOException("protocol switch: not followed");
                }
                interimResponse = status < 200;
                if (interimResponse) {
                    p.continued |= status == 100;
                    return MessageParser.NONE;
                }
                p.status = status;
                p.responseHeaders = headers;
                if (p == receiving && !p.requestComplete && p.requestBytes == 0 && !p.continued
                        && "100-continue".equalsIgnoreCase(p.headers.get("expect"))) {
                    // refused before its body was asked for: the client sends no body, its next bytes are a new request
                    requests.reset();
                    p.requestComplete = true;
                }
                if (p.method.equals("HEAD") || status == 204 || status == 304) {
                    return MessageParser.NONE;
                }
                if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
                    return MessageParser.CHUNKED;
                }
                String length = headers.get("content-length");
                return length == null ? MessageParser.UNTIL_CLOSE : Long.parseLong(length.trim());
            }

            @Override
            public void body(byte[] b, int off, int len) {
                Pending p = inFlight.peekFirst();
                if (p != null && !interimResponse && !p.method.equals("GET")) {
                    int room = RESPONSE_BODY_START_BYTES - p.responseStart.size();
                    if (room > 0) {
                        p.responseStart.write(b, off, Math.min(room, len));
                    }
                }
            }

            @Override
            public void end() {
                if (interimResponse) {
                    interimResponse = false;
                    return;
                }
                record(inFlight.pollFirst());
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int hi = c == '%' && i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
            if (lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Follows HTTP/1.1 message framing over a byte stream pushed in arbitrary pieces: it only
     * watches, the bytes themselves are forwarded by the caller unchanged.
     */
    static final class MessageParser {

        static final long NONE = 0;
        static final long CHUNKED = -1;
        static final long UNTIL_CLOSE = -2;

        interface Handler {
            /** A message head; returns its body framing: a length, NONE, CHUNKED or UNTIL_CLOSE. */
            long head(String startLine, Map<String, String> headers) throws IOException;

            void body(byte[] b, int off, int len);

            void end();
        }

        private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER, UNTIL_CLOSE }

        private final Handler handler;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private State state = State.HEAD;
        private long remaining;
        private int tail; // the last four bytes of a head, to spot its blank line cheaply

        MessageParser(Handler handler) {
            this.handler = handler;
        }

        void reset() {
            state = State.HEAD;
            line.reset();
            tail = 0;
        }

        void closed() {
            if (state == State.UNTIL_CLOSE) {
                finish();
            }
        }

        void feed(byte[] b, int off, int len) throws IOException {
            int i = off;
            int end = off + len;
            while (i < end) {
                switch (state) {
                    case HEAD -> {
                        byte c = b[i++];
                        line.write(c);
                        tail = (tail << 8) | (c & 0xff);
                        if (line.size() > MAX_HEAD_BYTES) {
                            throw new IOException("message head over " + MAX_HEAD_BYTES + " bytes");
                        }
                        if (line.size() == 2 && (tail & 0xffff) == 0x0d0a) {
                            line.reset(); // a stray CRLF between messages, which RFC 9112 lets us skip
                            tail = 0;
                        } else if (tail == 0x0d0a0d0a) {
                            String head = line.toString(StandardCharsets.ISO_8859_1);
                            line.reset();
                            tail = 0;
                            begin(head);
                        }
                    }
                    case FIXED, CHUNK_DATA, UNTIL_CLOSE -> {
                        int n = state == State.UNTIL_CLOSE ? end - i : (int) Math.min(remaining, end - i);
                        handler.body(b, i, n);
                        i += n;
                        remaining -= n;
                        if (state == State.FIXED && remaining == 0) {
                            finish();
                        } else if (state == State.CHUNK_DATA && remaining == 0) {
                            state = State.CHUNK_DATA_END;
                            remaining = 2;
                        }
                    }
                    case CHUNK_DATA_END -> {
                        i++;
                        if (--remaining == 0) {
                            state = State.CHUNK_SIZE;
                        }
                    }
                    case CHUNK_SIZE, TRAILER -> {
                        byte c = b[i++];
                        line.write(c);
                        if (line.size() > MAX_HEAD_BYTES) {
                            throw new IOException("chunk line over " + MAX_HEAD_BYTES + " bytes");
                        }
                        if (c == '\n') {
                            String text = line.toString(StandardCharsets.ISO_8859_1).trim();
                            line.reset();
                            if (state == State.TRAILER) {
                                if (text.isEmpty()) {
                                    finish();
                                }
                            } else {
                                int semicolon = text.indexOf(';');
                                long size = Long.parseLong(semicolon < 0 ? text : text.substring(0, semicolon).trim(), 16);
                                if (size == 0) {
                                    state = State.TRAILER;
                                } else {
                                    state = State.CHUNK_DATA;
                                    remaining = size;
                                }
                            }
                        }
                    }
                    default -> throw new IllegalStateException(state.toString());
                }
            }
        }

        private void begin(String head) throws IOException {
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int k = 1; k < lines.length; k++) {
                int colon = lines[k].indexOf(':');
                if (colon > 0) {
                    headers.merge(lines[k].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[k].substring(colon + 1).trim(), (x, y) -> x + "," + y);
                }
            }
            long framing = handler.head(lines[0], headers);
            if (framing == CHUNKED) {
                state = State.CHUNK_SIZE;
            } else if (framing == UNTIL_CLOSE) {
                state = State.UNTIL_CLOSE;
            } else if (framing > 0) {
                state = State.FIXED;
                remaining = framing;
            } else {
                finish();
            }
        }

        private void finish() {
            state = State.HEAD;
            handler.end();
        }
    }
}
