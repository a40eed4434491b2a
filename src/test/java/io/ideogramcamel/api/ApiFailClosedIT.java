package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.testing.BundleProcess;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar, started as a user would on every interface with no API token: it must not come
 * up with an open API, but stop with one line naming the settings, and a non-zero exit code.
 */
class ApiFailClosedIT {

    @Test
    void theJarRefusesToStartAnOpenApiOnEveryInterface() throws Exception {
        Path workDir = Files.createTempDirectory("ideogram-fail-closed-");
        BundleProcess.copyInstallation(workDir);
        Path log = workDir.resolve("bundle.log");
        String jar = new File(System.getProperty("bundle.jar", "target/ideogram-camel.jar")).getAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("API_TOKEN");
        builder.environment().put("CAMEL_SERVER_HOST", "0.0.0.0");
        builder.environment().put("CAMEL_SERVER_PORT", Integer.toString(BundleProcess.freePort()));
        Process process = builder.start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the bundle should stop by itself, see " + log)
                    .isTrue();
            assertThat(process.exitValue()).as("exit code, see " + log).isNotZero();
            assertThat(Files.readString(log, StandardCharsets.UTF_8))
                    .contains("Not starting: the API (/generations) would be open to anyone on camel.server.host=0.0.0.0")
                    .contains("api.allow-unauthenticated=true");
        } finally {
            process.destroyForcibly();
            process.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
