package io.ideogramcamel.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleProcess;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's way to stop the stand-in, with target/ideogram-standin.jar as real processes in a folder
 * of their own: started as in the run command, stopped with {@code java -jar target/ideogram-standin.jar --stop},
 * no {@code pkill}. Only the holder of the token file (owner-readable only) can stop it.
 */
class StandInStopIT {

    private static final Path JAR = Path.of("target/ideogram-standin.jar").toAbsolutePath();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void stopsTheRunningStandInWithItsTokenAndFreesThePort() throws Exception {
        assertThat(JAR).as("built by mvn package").isRegularFile();
        Path folder = Files.createTempDirectory(Files.createDirectories(Path.of("target/standin-stop-it")), "run-");
        int port = BundleProcess.freePort();
        Path tokenFile = folder.resolve("target/ideogram-standin-" + port + ".token");
        Process standIn = java(folder, "--port", Integer.toString(port)).start();
        try {
            awaitStopInstructions(standIn, folder.resolve("standin.log"));
            assertThat(tokenFile).isRegularFile();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)))
                    .as("only the user who started it can read the token").isEqualTo("rw-------");

            HttpResponse<String> wrongToken = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/control/stop"))
                    .timeout(Duration.ofSeconds(5)).header("X-Stop-Token", "not-the-token")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrongToken.statusCode()).isEqualTo(403);
            assertThat(standIn.isAlive()).as("a wrong token does not stop it").isTrue();

            Path stopLog = folder.resolve("stop.log");
            Process stop = java(folder, "--stop", "--port", Integer.toString(port))
                    .redirectOutput(stopLog.toFile()).start();
            assertThat(stop.waitFor(30, TimeUnit.SECONDS)).as("--stop returns").isTrue();
            assertThat(stop.exitValue()).as(Files.readString(stopLog)).isZero();
            assertThat(Files.readString(stopLog)).contains("Stopped the stand-in on 127.0.0.1:" + port);

            assertThat(standIn.waitFor(30, TimeUnit.SECONDS)).as("the stand-in exits").isTrue();
            assertThat(standIn.exitValue()).isZero();
            assertThat(tokenFile).as("removed at exit").doesNotExist();
            try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(again.getLocalPort()).as("the port is free").isEqualTo(port);
            }

            Process nothingLeft = java(folder, "--stop", "--port", Integer.toString(port)).start();
            assertThat(nothingLeft.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(nothingLeft.exitValue()).as("no token file: nothing started from this folder").isEqualTo(1);
        } finally {
            standIn.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static ProcessBuilder java(Path folder, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.resolve("standin.log").toFile()));
    }

    /** Bounded: the start line (which names the stop command) within 60 s, or the test fails. */
    private static void awaitStopInstructions(Process standIn, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (Files.exists(log) && Files.readString(log).contains("stop it with: java -jar target/ideogram-standin.jar --stop")) {
                return;
            }
            assertThat(standIn.isAlive()).as("stand-in exited early: " + (Files.exists(log) ? Files.readString(log) : "")).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("no start line within 60 s: " + Files.readString(log));
    }
}
