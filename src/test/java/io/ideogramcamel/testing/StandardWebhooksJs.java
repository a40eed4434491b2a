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
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "sign.mjs", "verify.mjs");
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
