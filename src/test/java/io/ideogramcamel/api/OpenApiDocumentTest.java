package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.testing.BundleProcess;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import org.junit.jupiter.api.Test;

/**
 * /openapi.json describes the whole API, and the API answers as it says. The operations are read from
 * the document itself, so an endpoint added later is called here without this test changing: with the
 * token, every operation (unknown ids in its path, its required parameters and a minimal body) must
 * answer one of its documented statuses, as JSON, echoing no request header; without the token,
 * every operation answers 401.
 */
class OpenApiDocumentTest extends BundleTestSupport {

    private static final String TOKEN = "an-api-token-of-at-least-32-characters";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final String PROBE_HEADER = "X-Echo-Probe";

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-openapi-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws Exception {
        // nothing listens there: a valid submission would stay queued, never sent
        properties.set("api.token", TOKEN)
                .set("ideogram.api-url", "http://127.0.0.1:" + BundleProcess.freePort());
    }

    /** One documented operation: its method, its path template and the statuses it may answer. */
    private record Operation(String method, String path, JsonNode node, Set<Integer> statuses) {

        @Override
        public String toString() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    private JsonNode document() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/openapi.json")).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private List<Operation> operations(JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
            while (methods.hasNext()) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (!METHODS.contains(method.getKey())) {
                    continue;
                }
                Set<Integer> statuses = new HashSet<>();
                method.getValue().path("responses").fieldNames().forEachRemaining(code -> statuses.add(Integer.valueOf(code)));
                operations.add(new Operation(method.getKey(), path.getKey(), method.getValue(), statuses));
            }
        }
        return operations;
    }

    /** The operation's path with unknown ids, and its required query parameters, present and invalid. */
    private String url(Operation operation) {
        String path = operation.path();
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        for (JsonNode parameter : operation.node().path("parameters")) {
            String name = parameter.path("name").asText();
            String value = "unknown-" + name.toLowerCase(Locale.ROOT);
            switch (parameter.path("in").asText()) {
                case "path" -> path = path.replace("{" + name + "}", value);
                case "query" -> {
                    if (parameter.path("required").asBoolean()) {
                        query.add(URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + value);
                    }
                }
                default -> {
                }
            }
        }
        return baseUrl() + path + query;
    }

    private HttpResponse<String> call(Operation operation, boolean withToken) throws Exception {
        // a request's own Retry-After must not come back as if the API had said it
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(operation))).header(PROBE_HEADER, "probe")
                .header("Retry-After", "99");
        if (withToken) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        JsonNode body = operation.node().path("requestBody");
        if (body.isMissingNode()) {
            request.method(operation.method().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.noBody());
        } else {
            String type = body.path("content").fieldNames().hasNext() ? body.path("content").fieldNames().next()
                    : "application/json";
            request.header("Content-Type", type)
                    .method(operation.method().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.ofString("{}"));
        }
        return send(request);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDocumentIsOpenApi3ServedWithoutTheTokenWithTheProjectsVersionAndNoSecret() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/openapi.json"))
                .header(PROBE_HEADER, "probe").GET());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.headers().map().keySet()).noneMatch(PROBE_HEADER::equalsIgnoreCase);
        assertThat(response.body()).doesNotContain(TOKEN);
        JsonNode document = JSON.readTree(response.body());
        assertThat(document.path("openapi").asText()).startsWith("3.");
        assertThat(document.path("info").path("title").asText()).isEqualTo("ideogram-camel API");
        assertThat(document.path("info").path("version").asText()).isEqualTo(projectVersion());
        assertThat(document.path("components").path("securitySchemes").path("bearer").path("scheme").asText())
                .isEqualTo("bearer");
        // never the bind address: relative, or the address a proxy in front says the caller used
        assertThat(document.path("servers").toString()).doesNotContain("0.0.0.0").doesNotContain("127.0.0.1");
        JsonNode proxied = JSON.readTree(send(HttpRequest.newBuilder(URI.create(baseUrl() + "/openapi.json"))
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "api.example.com").GET()).body());
        assertThat(proxied.path("servers").get(0).path("url").asText()).isEqualTo("https://api.example.com");
    }

    @Test
    void everyOperationIsDocumentedWithItsStatusesTheTokenAndAnId() throws Exception {
        JsonNode document = document();
        List<Operation> operations = operations(document);

        // the API of today at least; endpoints added later are in the document, so they are called too
        assertThat(operations).extracting(Operation::toString).contains(
                "POST /generations", "GET /generations", "GET /generations/{id}", "GET /generations/{provider}/{id}",
                "POST /generations/{id}/retry", "POST /generations/{provider}/{id}/retry", "GET /events",
                "GET /events/{id}", "POST /events/{id}/redeliver", "POST /events/redeliver");
        // the whole API wants the token (the rest blocks' securityRequirements: the document's own)
        assertThat(document.path("security").toString()).contains("bearer");
        for (Operation operation : operations) {
            assertThat(operation.statuses()).as(operation.toString()).contains(401).isNotEmpty();
            assertThat(operation.node().path("operationId").asText()).as(operation.toString()).isNotEmpty();
            assertThat(operation.node().path("security").isMissingNode()).as(operation.toString()).isTrue();
        }
    }

    @Test
    void withTheTokenEveryOperationAnswersOneOfItsDocumentedStatusesAsJsonEchoingNoHeader() throws Exception {
        List<Operation> operations = operations(document());
        assertThat(operations).isNotEmpty();

        for (Operation operation : operations) {
            HttpResponse<String> response = call(operation, true);

            String as = operation + " -> " + response.statusCode() + " " + response.body();
            assertThat(response.statusCode()).as(as).isIn(operation.statuses());
            assertThat(response.statusCode()).as(as).isNotEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).as(as).contains("application/json");
            assertThat(response.headers().map().keySet()).as(as)
                    .noneMatch(name -> name.equalsIgnoreCase(PROBE_HEADER) || name.equalsIgnoreCase("Authorization"));
            assertThat(response.headers().firstValue("Retry-After")).as(as).isEmpty();
            JSON.readTree(response.body());
        }
    }

    @Test
    void aMethodNotDocumentedForAPathAnswers405AndAnUndocumentedPath404() throws Exception {
        List<Operation> operations = operations(document());

        for (Operation operation : operations) {
            String path = URI.create(url(operation)).getPath();
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                // the path with this method may be another operation's (GET /generations/x/retry is
                // GET /generations/{provider}/{id}): that one answers, as documented
                boolean documented = operations.stream().anyMatch(o -> o.method().equalsIgnoreCase(method)
                        && path.matches(o.path().replaceAll("\\{[^}]+}", "[^/]+")));
                if (documented) {
                    continue;
                }
                HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url(operation)))
                        .header("Authorization", "Bearer " + TOKEN)
                        .method(method, HttpRequest.BodyPublishers.noBody()));
                assertThat(response.statusCode()).as(method + " " + operation.path()).isEqualTo(405);
            }
        }
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/generationz"))
                .header("Authorization", "Bearer " + TOKEN).GET());
        assertThat(unknown.statusCode()).isEqualTo(404);
    }

    @Test
    void withoutTheTokenEveryOperationAnswers401() throws Exception {
        List<Operation> operations = operations(document());
        assertThat(operations).isNotEmpty();

        for (Operation operation : operations) {
            HttpResponse<String> response = call(operation, false);

            assertThat(response.statusCode()).as(operation.toString()).isEqualTo(401);
            assertThat(response.body()).as(operation.toString()).isEqualTo("{\"error\":\"unauthorized\"}");
            assertThat(response.headers().firstValue("Content-Type")).as(operation.toString())
                    .contains("application/json");
        }
    }

    @Test
    void theDocumentedVersionSettingIsThePomsVersion() throws Exception {
        Properties shipped = new Properties();
        try (var in = Files.newInputStream(Path.of("application.properties"))) {
            shipped.load(in);
        }
        assertThat(shipped.getProperty("api.document.version")).isEqualTo(projectVersion());
    }

    private static String projectVersion() throws Exception {
        Matcher version = Pattern.compile("<artifactId>ideogram-camel</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }
}
