package io.ideogramcamel.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The reference Standard Webhooks implementation (the npm package {@code standardwebhooks}, pinned
 * by src/test/node/standardwebhooks/package-lock.json) run by Node, so our signatures are checked
 * against code nobody here wrote. Needs only {@code node} and {@code npm} on the PATH: on first use
 * the package folder is copied to target/node/standardwebhooks and {@code npm ci} installs it there
 * (again only when the lock file changed); every child process is bounded by a timeout and its
 * output goes to files, so a hung npm or node fails the test instead of hanging the build.
 * <p>
 * Test secrets only: the secret is passed on node's command line.
 */
public final class StandardWebhooksJs {

    static final Path SOURCE = Path.of("src/test/node/standardwebhooks");
    static final Path WORK = Path.of("target/node/standardwebhooks");
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "sign.mjs", "verify.mjs",
            "receiver.mjs");
    private static final long INSTALL_TIMEOUT_SECONDS = 120;
    private static final long RUN_TIMEOUT_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static boolean installed;

    private StandardWebhooksJs() {
    }

    /**
     * The {@code webhook-signature} value {@code new Webhook(secret).sign(msgId, new Date(timestamp * 1000), body)}
     * makes, e.g. {@code v1,<base64>}. The library signs the body's UTF-8 text, so use valid UTF-8 bodies.
     */
    public static String sign(String secret, String msgId, long timestamp, byte[] body) {
        Path bodyFile = temp(body);
        try {
            String out = node("sign.mjs", secret, msgId, Long.toString(timestamp), bodyFile.toAbsolutePath().toString());
            return out.strip();
        } finally {
            deleteQuietly(bodyFile);
        }
    }

    /**
     * Whether {@code new Webhook(secret).verify(body, headers)} accepts the delivery (header names in
     * any case). The library judges the timestamp against this machine's clock, 5 minutes either way.
     */
    public static boolean verify(String secret, Map<String, String> headers, byte[] body) {
        Path bodyFile = temp(body);
        Path headersFile;
        try {
            headersFile = temp(JSON.writeValueAsBytes(headers));
        } catch (IOException e) {
            deleteQuietly(bodyFile);
            throw new UncheckedIOException(e);
        }
        try {
            String out = node("verify.mjs", secret, headersFile.toAbsolutePath().toString(),
                    bodyFile.toAbsolutePath().toString()).strip();
            if (out.equals("valid")) {
                return true;
            }
            if (out.startsWith("invalid")) {
                return false;
            }
            throw new IllegalStateException("verify.mjs printed neither valid nor invalid: " + out);
        } finally {
            deleteQuietly(bodyFile);
            deleteQuietly(headersFile);
        }
    }

    /**
     * Starts a callback receiver on 127.0.0.1 (node receiver.mjs): every request is verified by the
     * reference implementation with {@code secret} and answered with the next of {@code statuses}
     * (the last repeats; {@code hold} never answers), with {@code Retry-After: retryAfter} when not null.
     */
    public static Receiver receiver(String secret, String statuses, String retryAfter) {
        return receiver(secret, statuses, retryAfter, 0);
    }

    /**
     * The same on a given port (0: a free one); Node listens with SO_REUSEADDR, so a port the test
     * holds bound (not listening, with reuseAddress) is taken over without a window.
     */
    public static Receiver receiver(String secret, String statuses, String retryAfter, int port) {
        install();
        return new Receiver(secret, statuses, retryAfter, port);
    }

    /** One request as the Node receiver saw it, and whether standardwebhooks verified it. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record Received(String id, String timestamp, String signature, boolean verified, String reason,
            String status, String contentType, List<String> headerNames, String body, String url) {
    }

    /** A running Node receiver; close stops it. */
    public static final class Receiver implements AutoCloseable {

        private static final long START_TIMEOUT_MILLIS = 20_000;
        private final Process process;
        private final Path portFile;
        private final Path log;
        private final int port;

        Receiver(String secret, String statuses, String retryAfter, int listenPort) {
            try {
                portFile = Files.createTempFile(WORK.getParent(), "receiver", ".port");
                Files.delete(portFile);
                log = Files.createTempFile(WORK.getParent(), "receiver", ".log");
                process = new ProcessBuilder("node", "receiver.mjs", secret, portFile.toAbsolutePath().toString(),
                        statuses, retryAfter == null ? "-" : retryAfter, Integer.toString(listenPort)).directory(WORK.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                port = awaitPort();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start node receiver.mjs", e);
            }
        }

        private int awaitPort() throws IOException {
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
            while (!Files.isRegularFile(portFile)) {
                if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("node receiver.mjs did not start: "
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).strip());
        }

        /** http://127.0.0.1:port{path} */
        public String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** Every request received so far, in order. */
        public List<Received> records() {
            try {
                java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/__records")))
                                .timeout(java.time.Duration.ofSeconds(10)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                return List.of(JSON.readValue(r.body(), Received[].class));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Waits, bounded, until at least {@code count} requests have arrived; returns them. */
        public List<Received> awaitRecords(int count, java.time.Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Received> seen = records();
            while (seen.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("receiver got " + seen.size() + " of " + count + " requests within "
                            + timeout);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                seen = records();
            }
            return seen;
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deleteQuietly(portFile);
            deleteQuietly(log);
        }
    }

    /** Copies the package to target/ and runs {@code npm ci} there unless the same lock is installed. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            Files.createDirectories(WORK);
            // another JVM (surefire and failsafe, parallel builds) may install at the same time
            try (FileChannel channel = FileChannel.open(WORK.resolveSibling("standardwebhooks.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                Path installedLock = WORK.resolve("node_modules/.ideogram-installed-lock.json");
                byte[] wantedLock = Files.readAllBytes(SOURCE.resolve("package-lock.json"));
                for (String file : FILES) {
                    Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
                }
                boolean current = Files.isRegularFile(WORK.resolve("node_modules/standardwebhooks/package.json"))
                        && Files.isRegularFile(installedLock)
                        && Arrays.equals(Files.readAllBytes(installedLock), wantedLock);
                if (!current) {
                    run(WORK, INSTALL_TIMEOUT_SECONDS, "npm-ci", npm(), "ci", "--no-audit", "--no-fund");
                    Files.write(installedLock, wantedLock);
                }
            }
            installed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("installing the standardwebhooks npm package in " + WORK, e);
        }
    }

    private static String node(String script, String... args) {
        install();
        List<String> command = new ArrayList<>();
        command.add("node");
        command.add(script);
        command.addAll(List.of(args));
        return run(WORK, RUN_TIMEOUT_SECONDS, script.replace(".mjs", ""), command.toArray(String[]::new));
    }

    /** Runs {@code command} in {@code dir}; its stdout, or an exception naming the command and its stderr. */
    private static String run(Path dir, long timeoutSeconds, String logName, String... command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile(WORK.getParent(), logName, ".out");
            err = Files.createTempFile(WORK.getParent(), logName, ".err");
            Process process = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command[0], command[1])
                        + " did not finish within " + timeoutSeconds + " s in " + dir.toAbsolutePath());
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command[0], command[1]) + " exited with "
                        + process.exitValue() + " in " + dir.toAbsolutePath() + ": "
                        + Files.readString(err, StandardCharsets.UTF_8).strip());
            }
            return stdout;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command[0] + " (is Node.js installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static String npm() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "npm.cmd" : "npm";
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
                ? "NUL" : "/dev/null");
    }

    private static Path temp(byte[] content) {
        try {
            Files.createDirectories(WORK.getParent());
            Path file = Files.createTempFile(WORK.getParent(), "input", ".bin");
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temp file under target/ is harmless
            }
        }
    }
}
