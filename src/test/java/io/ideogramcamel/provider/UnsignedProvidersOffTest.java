package io.ideogramcamel.provider;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.webhook.ProviderSwitch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The default settings: ImagineAPI and RunBlob are off, their routes not started, each said once. */
class UnsignedProvidersOffTest extends BundleTestSupport {

    private LogCapture log;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-providers-off-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        log = LogCapture.of(ProviderSwitch.class);
    }

    @AfterAll
    void closeLog() {
        log.close();
    }

    @Test
    void aProviderWithoutItsTokenIsNotStartedAndSaysSoOnce() {
        byte[] body = "{\"task_uuid\":\"t1\",\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(Http.post(baseUrl() + "/webhooks/imagineapi/anything", Map.of(), body).statusCode()).isEqualTo(404);
        assertThat(Http.post(baseUrl() + "/webhooks/runblob/anything", Map.of(), body).statusCode()).isEqualTo(404);
        assertThat(context().getRoute("provider-imagineapi")).isNull();
        assertThat(context().getRoute("provider-runblob")).isNull();
        assertThat(log.lines()).filteredOn(l -> l.startsWith("INFO") && l.contains("Provider imagineapi is off")
                && l.contains("providers.imagineapi.path-token")).hasSize(1);
        assertThat(log.lines()).filteredOn(l -> l.startsWith("INFO") && l.contains("Provider runblob is off")
                && l.contains("providers.runblob.status-url")).hasSize(1);
    }
}
