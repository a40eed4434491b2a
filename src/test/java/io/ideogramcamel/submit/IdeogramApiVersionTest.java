package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import io.ideogramcamel.IdeogramApiVersion;
import io.ideogramcamel.testing.LogCapture;
import org.junit.jupiter.api.Test;

/** ideogram.api-version picks the submit and poll paths (an explicit path wins) and v2's async flag; v1 is the default. */
class IdeogramApiVersionTest {

    private static IdeogramSubmitCall call(String version, String path, String webhook) {
        IdeogramSubmitCall call = new IdeogramSubmitCall();
        call.setApiUrl("https://api.ideogram.ai/");
        if (version != null) {
            call.setApiVersion(version);
        }
        if (path != null) {
            call.setSubmitPath(path);
        }
        call.setWebhookPublicUrl(webhook);
        return call;
    }

    @Test
    void v1IsTheDefaultInTheCodeAndInTheShippedSettings() throws Exception {
        assertThat(call(null, null, null).uri()).isEqualTo("https://api.ideogram.ai/v1/ideogram-v4/async/generate");
        assertThat(IdeogramApiVersion.parse(null)).isEqualTo(IdeogramApiVersion.V1);
        assertThat(IdeogramApiVersion.parse("")).isEqualTo(IdeogramApiVersion.V1);

        Properties shipped = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"), StandardCharsets.UTF_8)) {
            shipped.load(in);
        }
        assertThat(shipped.getProperty("ideogram.api-version")).isEqualTo("v1");
        // empty: the version's default, so switching the version alone switches both paths
        assertThat(shipped.getProperty("ideogram.submit.path")).isEmpty();
        assertThat(shipped.getProperty("ideogram.poll.path")).isEmpty();
        IdeogramSubmitCall asShipped = call(shipped.getProperty("ideogram.api-version"),
                shipped.getProperty("ideogram.submit.path"), shipped.getProperty("ideogram.webhook.public-url"));
        assertThat(asShipped.uri()).isEqualTo("https://api.ideogram.ai/v1/ideogram-v4/async/generate");
        assertThat(asShipped.bodyFor("{\"text_prompt\":\"a\"}")).isEqualTo("{\"text_prompt\":\"a\"}");
    }

    @Test
    void eachVersionHasItsOwnPathsAndAnExplicitPathWins() {
        assertThat(call("v1", "", null).uri()).isEqualTo("https://api.ideogram.ai/v1/ideogram-v4/async/generate");
        assertThat(call("v2", "", null).uri()).isEqualTo("https://api.ideogram.ai/v2/image/generate/ideogram-4");
        assertThat(call("V2", null, "https://hooks.example/ideogram").uri()).isEqualTo(
                "https://api.ideogram.ai/v2/image/generate/ideogram-4?webhook_url=https%3A%2F%2Fhooks.example%2Fideogram");
        assertThat(call("v2", "v9/other", null).uri()).isEqualTo("https://api.ideogram.ai/v9/other");
        assertThat(IdeogramApiVersion.V1.defaultPollPath()).isEqualTo("/v1/generations/");
        assertThat(IdeogramApiVersion.V2.defaultPollPath()).isEqualTo("/v2/generations/");
    }

    @Test
    void v2WithoutAWebhookAsksForAnAsynchronousRun() {
        String request = "{\"text_prompt\":\"a lighthouse\",\"num_images\":2}";
        assertThat(call("v2", null, null).bodyFor(request))
                .isEqualTo("{\"text_prompt\":\"a lighthouse\",\"num_images\":2,\"async\":true}");
        // with a webhook_url the request is async already; v1's endpoint is async by itself
        assertThat(call("v2", null, "https://hooks.example/ideogram").bodyFor(request)).isEqualTo(request);
        assertThat(call("v1", null, null).bodyFor(request)).isEqualTo(request);
    }

    @Test
    void anUnknownVersionStopsTheStartWithOneClearLine() throws Exception {
        for (String bad : new String[] { "v3", "2", "latest" }) {
            IdeogramSubmitCall call = call(bad, null, null);
            try (LogCapture lines = LogCapture.of(IdeogramSubmitCall.class)) {
                assertThatThrownBy(call::start).as(bad)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("ideogram.api-version (IDEOGRAM_API_VERSION) is " + bad + ": it must be v1 or v2");
                assertThat(lines.lines()).as(bad).containsExactly(
                        "ERROR Not starting: ideogram.api-version (IDEOGRAM_API_VERSION) is " + bad
                                + ": it must be v1 or v2");
            }
        }
        assertThatThrownBy(() -> IdeogramApiVersion.parse("v1; drop table"))
                .hasMessage("ideogram.api-version (IDEOGRAM_API_VERSION) is (not shown): it must be v1 or v2");
    }
}
