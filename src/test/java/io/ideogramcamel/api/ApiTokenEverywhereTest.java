package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.Test;

/**
 * The token check is declared once for every REST verb, not per file: a verb written in a file of
 * its own (src/test/resources/api-probe) is refused without the token like those of rest-api.camel.yaml.
 */
class ApiTokenEverywhereTest extends BundleTestSupport {

    private static final String TOKEN = "an-api-token-of-at-least-32-characters";

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-token-everywhere-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("api.token", TOKEN)
                .set("camel.main.routes-include-pattern", "file:routes/*.camel.yaml,classpath:api-probe/*.camel.yaml");
    }

    @Test
    void aVerbInAnotherFileWantsTheTokenToo() {
        HttpResponse<String> refused = Http.get(baseUrl() + "/probe", Map.of("Authorization", "Bearer wrong"));
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).isEqualTo("{\"error\":\"unauthorized\"}");

        HttpResponse<String> through = Http.get(baseUrl() + "/probe", Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(through.statusCode()).isEqualTo(200);
        assertThat(through.body()).isEqualTo("{\"probe\":\"through\"}");
    }
}
