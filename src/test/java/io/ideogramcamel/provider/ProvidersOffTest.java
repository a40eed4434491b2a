package io.ideogramcamel.provider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import io.ideogramcamel.standin.HmacRelaySender;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.webhook.ProviderSwitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default run: no provider secret or token set, so no provider's route is started, their paths
 * are not found, and the start says once, per provider, what to set.
 */
class ProvidersOffTest extends BundleTestSupport {

    private LogCapture switchLines;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-providers-off-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        // before the start, which is when the switches speak
        switchLines = LogCapture.of(ProviderSwitch.class);
    }

    @AfterAll
    void detach() {
        switchLines.close();
    }

    @Test
    void withoutASecretTheirPathsAreNotFoundAndOneLineSaysWhatToSet() {
        byte[] body = "{\"generation_id\":\"abc\",\"data\":[]}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> hmacHeaders = HmacRelaySender.headers("any-secret", System.currentTimeMillis() / 1000, body);

        assertThat(Http.post(baseUrl() + "/webhooks/hmac", hmacHeaders, body).statusCode()).isEqualTo(404);
        assertThat(Http.post(baseUrl() + "/webhooks/standard", Map.of("Content-Type", "application/json"), body)
                .statusCode()).isEqualTo(404);
        assertThat(context().getRoute("provider-hmac")).isNull();
        assertThat(context().getRoute("provider-standard")).isNull();
        assertThat(switchLines.lines())
                .containsOnlyOnce("INFO Provider hmac is off (its route is not started): set providers.hmac.secret")
                .containsOnlyOnce("INFO Provider standard is off (its route is not started): set "
                        + "providers.standard.secret or providers.standard.public-key");
        assertThat(switchLines.lines()).filteredOn(l -> l.contains("Provider hmac ")).hasSize(1);
        assertThat(switchLines.lines()).filteredOn(l -> l.contains("Provider standard ")).hasSize(1);
    }

    @Test
    void anUnsignedProviderWithoutItsTokenIsNotStartedAndSaysSoOnce() {
        byte[] body = "{\"task_uuid\":\"t1\",\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(Http.post(baseUrl() + "/webhooks/imagineapi/anything", Map.of(), body).statusCode()).isEqualTo(404);
        assertThat(Http.post(baseUrl() + "/webhooks/runblob/anything", Map.of(), body).statusCode()).isEqualTo(404);
        assertThat(context().getRoute("provider-imagineapi")).isNull();
        assertThat(context().getRoute("provider-runblob")).isNull();
        assertThat(switchLines.lines()).filteredOn(l -> l.startsWith("INFO") && l.contains("Provider imagineapi is off")
                && l.contains("providers.imagineapi.path-token")).hasSize(1);
        assertThat(switchLines.lines()).filteredOn(l -> l.startsWith("INFO") && l.contains("Provider runblob is off")
                && l.contains("providers.runblob.status-url")).hasSize(1);
    }
}
