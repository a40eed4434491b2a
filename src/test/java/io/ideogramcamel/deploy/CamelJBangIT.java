package io.ideogramcamel.deploy;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.ImageHost;
import org.junit.jupiter.api.Test;

import static io.ideogramcamel.testing.IdeogramStandIn.image;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's Camel JBang command, run as written by a user who has the camel CLI:
 * {@code camel run routes/*.camel.yaml application.properties --dep=mvn:io.ideogramcamel:ideogram-camel:<version>}
 * in a copy of routes/ and application.properties, through the CLI taken from Maven Central
 * (src/test/camel-cli). The CLI's classpath holds no class of this project: the beans come only from
 * the library jar, which the build installed into the CLI's own local repository (its user.home),
 * so a stale copy in ~/.m2 can never stand in for the jar just built. Camel's own jars come from the
 * build's local repository (declared in that home's settings.xml), then from Maven Central.
 */
class CamelJBangIT {

    private static final String README_COMMAND =
            "camel run routes/*.camel.yaml application.properties --dep=mvn:%s";

    @Test
    void readmeCommandRunsTheRoutesAcceptsASignedWebhookAndArchivesIt() throws Exception {
        Path cliDir = Path.of(System.getProperty("camel.cli.dir", "target/camel-cli")).toAbsolutePath();
        Path classpath = cliDir.resolve("classpath.txt");
        Path home = cliDir.resolve("home");
        String gav = System.getProperty("library.gav", "io.ideogramcamel:ideogram-camel:0.1.0-SNAPSHOT");
        assertThat(classpath).as("written by the camel-cli-classpath execution").isRegularFile();
        assertThat(home.resolve(".m2/repository/" + gav.split(":")[0].replace('.', '/'))).as("installed by the build")
                .isDirectory();
        assertThat(Files.readString(classpath)).as("the CLI must not see the project's classes")
                .doesNotContain("target/classes").doesNotContain("ideogram-camel-");
        writeSettings(home);

        Path install = Files.createTempDirectory(Files.createDirectories(cliDir.resolve("runs")), "run-");
        BundleProcess.copyInstallation(install);
        Path log = install.resolve("camel-run.log");
        int port = BundleProcess.freePort();
        String command = String.format(README_COMMAND, gav);

        try (IdeogramStandIn ideogram = new IdeogramStandIn(); ImageHost images = ImageHost.start("127.0.0.1")) {
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", command)
                    .directory(install.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            Path bin = Path.of("src/test/camel-cli/bin").toAbsolutePath();
            env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("JAVA_HOME", System.getProperty("java.home"));
            // no CAMEL_CLI_CLASSPATH: bin/camel reads the file README's no-jbang recipe writes
            env.put("CAMEL_CLI_JAVA_OPTS", "-Xmx384m -Duser.home=" + home);
            env.put("CAMEL_SERVER_PORT", Integer.toString(port));
            env.put("CAMEL_SERVER_HOST", "127.0.0.1");
            env.put("IDEOGRAM_JWKS_URL", ideogram.jwksUrl());
            env.put("IDEOGRAM_IMAGE_HOSTS", "127.0.0.1");
            env.put("IDEOGRAM_IMAGE_ALLOW_HTTP", "true");
            env.put("ARCHIVE_REDRIVE_INTERVAL_MILLIS", "500");
            Process camel = builder.start();
            try {
                String base = "http://127.0.0.1:" + port;
                awaitReady(camel, base, log, 180);

                String id = IdeogramStandIn.newGenerationId();
                byte[] png0 = png(0);
                byte[] png1 = png(1);
                images.png("/" + id + "/0", png0).png("/" + id + "/1", png1);
                byte[] body = IdeogramStandIn.deliveryBody(id,
                        image(images.url("/" + id + "/0"), true, 1), image(images.url("/" + id + "/1"), true, 2));
                HttpResponse<String> answer = Http.post(base + "/webhooks/ideogram", ideogram.sign(id, body), body);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).contains("accepted");

                Path stored = install.resolve("data/images/generations").resolve(id);
                awaitFile(stored.resolve("manifest.json"), camel, log, 60);
                assertThat(Files.readAllBytes(stored.resolve("0.png"))).isEqualTo(png0);
                assertThat(Files.readAllBytes(stored.resolve("1.png"))).isEqualTo(png1);
                assertThat(Files.readString(stored.resolve("manifest.json"))).contains(id);

                String output = Files.readString(log, StandardCharsets.UTF_8);
                // the beans can only come from --dep (the run folder holds routes and properties
                // alone), so the accept and the archive above prove the library was loaded; the
                // CLI's own "Resolved: <gav>" line did not appear on every run, so it is not asserted
                assertThat(output).contains("Apache Camel (JBang) 4.18.0");
            } finally {
                stop(camel);
            }
        }
    }

    /** The build's local repository as an extra repository of the CLI's own home. */
    private static void writeSettings(Path home) throws IOException {
        String buildRepo = Path.of(System.getProperty("maven.local.repo",
                System.getProperty("user.home") + "/.m2/repository")).toUri().toString();
        Files.createDirectories(home.resolve(".m2"));
        Files.writeString(home.resolve(".m2/settings.xml"), """
                <settings>
                  <profiles>
                    <profile>
                      <id>build-repository</id>
                      <repositories>
                        <repository>
                          <id>build-repository</id>
                          <url>%s</url>
                          <releases><enabled>true</enabled></releases>
                          <snapshots><enabled>false</enabled></snapshots>
                        </repository>
                      </repositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>build-repository</activeProfile></activeProfiles>
                </settings>
                """.formatted(buildRepo));
    }

    private static void awaitReady(Process camel, String base, Path log, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            assertThat(camel.isAlive()).as("camel run exited early, see " + log).isTrue();
            try {
                if (Http.get(base + "/observe/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("camel run not ready within " + seconds + " s, see " + log);
    }

    private static void awaitFile(Path file, Process camel, Path log, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.isRegularFile(file)) {
            assertThat(camel.isAlive()).as("camel run died, see " + log).isTrue();
            assertThat(System.nanoTime()).as(file + " within " + seconds + " s, see " + log).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void stop(Process camel) throws InterruptedException {
        camel.descendants().forEach(ProcessHandle::destroy);
        camel.destroy();
        if (!camel.waitFor(30, TimeUnit.SECONDS)) {
            camel.descendants().forEach(ProcessHandle::destroyForcibly);
            camel.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static byte[] png(int seed) {
        byte[] header = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        byte[] bytes = new byte[2000 + seed];
        System.arraycopy(header, 0, bytes, 0, header.length);
        for (int i = header.length; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 17 + seed);
        }
        return bytes;
    }
}
