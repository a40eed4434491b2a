package io.ideogramcamel.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleProcess;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar, misconfigured as a new user would: it stops with one line naming the cause and
 * the setting to change, or starts and says once what it ignores.
 */
class FailFastIT {

    @Test
    void aTakenServerPortStopsTheStartNamingThePortAndTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path workDir = installation();
            String log = runToExit(workDir, Map.of("CAMEL_SERVER_PORT", Integer.toString(port)));
            assertThat(lines(log, "Not starting: port " + port + " on 127.0.0.1 cannot be bound")).hasSize(1);
            assertThat(log).contains("choose a free port with camel.server.port (CAMEL_SERVER_PORT)")
                    .doesNotContain("Apache Camel 4.18.0 (ideogram-camel) started")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aTakenManagementPortStopsTheStartNamingItsSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            String log = runToExit(installation(), Map.of("CAMEL_MANAGEMENT_PORT", Integer.toString(port)));
            assertThat(lines(log, "Not starting: port " + port + " on 127.0.0.1 cannot be bound")).hasSize(1);
            assertThat(log).contains("camel.management.port (CAMEL_MANAGEMENT_PORT)");
        }
    }

    @Test
    void theProdProfileNamesEveryMissingVariableInOneLine() throws Exception {
        Path workDir = installation();
        Files.copy(Path.of("application-prod.properties"), workDir.resolve("application-prod.properties"));
        String log = runToExit(workDir, Map.of("CAMEL_MAIN_PROFILE", "prod", "STORE_JDBC_URL", "jdbc:h2:mem:x",
                "API_TOKEN", "0123456789abcdef0123456789abcdef"));
        List<String> refusal = lines(log, "Not starting: the prod profile");
        assertThat(refusal).hasSize(1);
        assertThat(refusal.get(0)).contains("STORE_USERNAME, STORAGE_S3_BUCKET, IDEOGRAM_WEBHOOK_PUBLIC_URL")
                .doesNotContain("STORE_JDBC_URL").doesNotContain("API_TOKEN");
        assertThat(log).doesNotContain("\tat ").doesNotContain("jdbc:h2:mem:x");
    }

    @Test
    void aMistypedSettingIsNamedOnceWithTheClosestKnownOneAndTheBoundAddressIsPrinted() throws Exception {
        Path workDir = installation();
        Files.writeString(workDir.resolve("application.properties"), "\nideogram.max-inflight-image = 4\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        int port = BundleProcess.freePort();
        Process process = start(workDir, Map.of("CAMEL_SERVER_PORT", Integer.toString(port),
                "STORAGE_S3_BUCKIT", "images", "IDEOGRAM_API_KEY", ""));
        try {
            String log = awaitLine(process, workDir, "HTTP server listening on http://127.0.0.1:" + port);
            assertThat(lines(log, "Unknown setting ideogram.max-inflight-image (in application.properties)"))
                    .singleElement().asString().contains("did you mean ideogram.max-inflight-images");
            assertThat(lines(log, "Unknown setting STORAGE_S3_BUCKIT (in the environment)"))
                    .singleElement().asString().contains("did you mean storage.s3.bucket (STORAGE_S3_BUCKET)");
            assertThat(lines(log, "ideogram.api-key (IDEOGRAM_API_KEY) is empty")).hasSize(1);
            assertThat(log).doesNotContain("http://0.0.0.0");
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void webhookUrlsWithoutASigningSecretStopTheStartSayingWhatToSet() throws Exception {
        String log = runToExit(installation(), Map.of("STORE_JDBC_URL", "jdbc:h2:mem:x",
                "EVENTS_WEBHOOK_URLS", "https://hooks.example.com/in?token=t0ken-in-the-url"));
        assertThat(log).contains("events.webhook-urls is set but events.signing-secret is empty")
                .contains("EVENTS_SIGNING_SECRET").doesNotContain("t0ken-in-the-url");
    }

    private static Path installation() throws Exception {
        Path workDir = Files.createTempDirectory("ideogram-fail-fast-");
        BundleProcess.copyInstallation(workDir);
        return workDir;
    }

    private static Process start(Path workDir, Map<String, String> environment) throws Exception {
        String jar = new File(System.getProperty("bundle.jar", "target/ideogram-camel.jar")).getAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("bundle.log").toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("CAMEL_") || name.startsWith("IDEOGRAM_")
                || name.startsWith("STORE_") || name.startsWith("STORAGE_") || name.equals("API_TOKEN"));
        builder.environment().put("CAMEL_SERVER_HOST", "127.0.0.1");
        builder.environment().put("CAMEL_SERVER_PORT", Integer.toString(BundleProcess.freePort()));
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static String runToExit(Path workDir, Map<String, String> environment) throws Exception {
        Process process = start(workDir, environment);
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the bundle should stop by itself, see " + workDir)
                    .isTrue();
            assertThat(process.exitValue()).as("exit code, see " + workDir).isNotZero();
            return Files.readString(workDir.resolve("bundle.log"), StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static String awaitLine(Process process, Path workDir, String line) throws Exception {
        Path log = workDir.resolve("bundle.log");
        for (int i = 0; i < 450; i++) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (text.contains(line)) {
                return text;
            }
            assertThat(process.isAlive()).as("the bundle exited early, see " + log).isTrue();
            Thread.sleep(200);
        }
        throw new AssertionError("no line '" + line + "' within 90 s, see " + log);
    }

    private static List<String> lines(String log, String fragment) {
        return log.lines().filter(line -> line.contains(fragment)).toList();
    }
}
