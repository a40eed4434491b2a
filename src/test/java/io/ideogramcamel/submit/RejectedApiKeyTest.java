package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Ideogram refusing the configured API key is an ERROR naming the setting, not an INFO outcome. */
class RejectedApiKeyTest extends BundleTestSupport {

    private LocalIdeogram local;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-bad-key-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        local = LocalIdeogram.builder().apiKey("the-right-key").start();
        properties.set("ideogram.api-url", local.baseUrl())
                .set("ideogram.jwks-url", local.jwksUrl())
                .set("ideogram.api-key", "a-wrong-key-never-logged")
                .set("ideogram.webhook.public-url", "http://127.0.0.1:" + serverPort + "/webhooks/ideogram")
                .set("ideogram.submit.dispatch-interval-millis", "200");
    }

    @AfterAll
    void stopServers() throws IOException {
        closeQuietly(local);
    }

    @Test
    void aRefusedKeyIsAnErrorNamingTheSettingAndTheSubmissionFails() throws Exception {
        try (LogCapture submitLines = LogCapture.of(IdeogramSubmitCall.class);
                LogCapture audit = LogCapture.of("io.ideogramcamel.audit")) {
            HttpResponse<String> answer = Http.post(baseUrl() + "/generations",
                    Map.of("Content-Type", "application/json"),
                    "{\"text_prompt\":\"a red fox\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(502);
            assertThat(answer.body()).contains("ideogram_unauthorized");
            String error = submitLines.await(10_000, "Ideogram refused the API key");
            assertThat(error).isNotNull().startsWith("ERROR ").contains("HTTP 401")
                    .contains("ideogram.api-key").doesNotContain("a-wrong-key-never-logged");
            assertThat(audit.await(10_000, "outcome=failed status=401")).endsWith("reason=ideogram_unauthorized");
        }
    }
}
