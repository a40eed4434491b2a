package io.ideogramcamel.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.standin.LocalIdeogram;

/**
 * The runnable jar started as a real process from the project directory, configured only through
 * environment variables, as a user or the benchmark starts it.
 */
public final class BundleProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    private BundleProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Starts the jar in {@code workDir}, which receives copies of the project's routes/ and
     * application.properties: a user's installation, with its own data/ folder.
     */
    public static BundleProcess start(Path workDir, Map<String, String> environment) throws IOException {
        String jar = new File(System.getProperty("bundle.jar", "target/ideogram-camel.jar")).getAbsolutePath();
        if (!new File(jar).isFile()) {
            throw new IllegalStateException(jar + " is missing: run the tests with mvn verify");
        }
        copyInstallation(workDir);
        Path log = workDir.resolve("bundle.log");
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("CAMEL_SERVER_PORT", Integer.toString(port));
        builder.environment().put("CAMEL_SERVER_HOST", "127.0.0.1");
        // one installation, one instance: a restart in the same folder is the same instance, and
        // processes on this one host never share an id (they would release each other's leases)
        builder.environment().put("STORE_INSTANCE_ID", workDir.getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "-"));
        builder.environment().putAll(environment);
        // health is on the server's port unless the environment gives it a port of its own
        String management = environment.get("CAMEL_MANAGEMENT_PORT");
        BundleProcess bundle = new BundleProcess(builder.start(), port,
                management == null ? port : Integer.parseInt(management), log);
        bundle.awaitReady(60);
        return bundle;
    }

    /** A user's installation in {@code workDir}: copies of the project's routes/ and application.properties. */
    public static void copyInstallation(Path workDir) throws IOException {
        Path routes = Files.createDirectories(workDir.resolve("routes"));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path file : files) {
                Files.copy(file, routes.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(Path.of("application.properties"), workDir.resolve("application.properties"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The environment of a bundle that verifies against {@code ideogram}'s JWKS and archives into
     * {@code bucket} on {@code s3}, fetching from loopback image hosts over plain http.
     */
    public static Map<String, String> archivingTo(IdeogramStandIn ideogram, S3ProxyServer s3, String bucket) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("IDEOGRAM_JWKS_URL", ideogram.jwksUrl());
        env.put("STORAGE_S3_BUCKET", bucket);
        env.put("STORAGE_S3_ENDPOINT", s3.endpoint());
        // s3proxy runs with authorization none; the SDK's default chain still wants a key
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("IDEOGRAM_IMAGE_HOSTS", "127.0.0.1");
        env.put("IDEOGRAM_IMAGE_ALLOW_HTTP", "true");
        return env;
    }

    /**
     * The environment of a bundle that submits to, polls and verifies against the local Ideogram
     * stand-in and keeps its store in {@code schema}, fetching images from it over plain http.
     */
    public static Map<String, String> usingLocalIdeogram(LocalIdeogram local, PostgresSchema schema) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("STORE_JDBC_URL", schema.jdbcUrl());
        env.put("STORE_USERNAME", PostgresSchema.USER);
        env.put("IDEOGRAM_API_URL", local.baseUrl());
        env.put("IDEOGRAM_JWKS_URL", local.jwksUrl());
        env.put("IDEOGRAM_API_KEY", local.apiKey());
        env.put("IDEOGRAM_IMAGE_HOSTS", "127.0.0.1");
        env.put("IDEOGRAM_IMAGE_ALLOW_HTTP", "true");
        return env;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Where health and metrics are served: the server's port unless CAMEL_MANAGEMENT_PORT was set. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    /** Everything the process wrote to stdout and stderr. */
    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL: no shutdown hook, no flush, exactly what kill -9 does. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("bundle did not die");
        }
    }

    private void awaitReady(int seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("bundle exited early, see " + log);
            }
            try {
                HttpResponse<String> ready = Http.get(managementUrl() + "/observe/health/ready");
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("bundle not ready within " + seconds + " s, see " + log);
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill9();
            }
        }
    }
}
