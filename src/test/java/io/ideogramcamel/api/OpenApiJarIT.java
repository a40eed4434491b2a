package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.Http;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar, not only the test classpath, serves the REST API and its document: the rest and
 * rest-api components and the YAML writer the document needs are in it (they once came with the
 * tests only, and the jar answered 500 to /openapi.json).
 */
class OpenApiJarIT {

    private static final String TOKEN = "an-api-token-of-at-least-32-characters";

    @Test
    void theJarServesTheDocumentAndTheApiBehindTheToken() throws Exception {
        try (BundleProcess bundle = BundleProcess.start(Files.createTempDirectory("ideogram-openapi-jar-"),
                Map.of("API_TOKEN", TOKEN))) {
            HttpResponse<String> document = Http.get(bundle.baseUrl() + "/openapi.json");
            assertThat(document.statusCode()).as("see " + bundle.log()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(document.body()).path("paths").has("/generations")).isTrue();

            assertThat(Http.get(bundle.baseUrl() + "/generations/unknown-id").statusCode()).isEqualTo(401);
            HttpResponse<String> unknown = Http.get(bundle.baseUrl() + "/generations/unknown-id",
                    Map.of("Authorization", "Bearer " + TOKEN));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).isEqualTo("{\"error\":\"not_found\"}");
        }
    }
}
