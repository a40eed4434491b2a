package io.ideogramcamel.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes manifests JKube generated in this build (target/kubernetes/kubernetes.yml, from
 * deploy/kubernetes/ and routes/): every object valid against fabric8's Kubernetes schema with
 * unknown fields refused, the ConfigMaps equal to the repo's files byte for byte, and the Deployment
 * as issue 8 asks (3 replicas, probes, scrape annotations, prod profile, secrets from a Secret).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsTest {

    static final Path GENERATED = Path.of("target/kubernetes/kubernetes.yml");
    static final Path SCHEMA = Path.of("target/schemas/kubernetes/schema/validation-schema.json");
    static final Map<String, String> DEFINITIONS = Map.of(
            "Deployment", "kubernetes_apps_Deployment",
            "Service", "kubernetes_core_Service",
            "ConfigMap", "kubernetes_core_ConfigMap");

    private final Map<String, JsonNode> objects = new HashMap<>();
    private final Map<String, StrictSchemas> schemas = new HashMap<>();

    @BeforeAll
    void load() throws Exception {
        assertThat(GENERATED).as("written by JKube's k8s:resource (process-resources)").isRegularFile();
        JsonNode list = CamelKIntegrationGenerator.yaml().readTree(GENERATED.toFile());
        for (JsonNode item : list.path("items")) {
            objects.put(item.path("kind").asText() + "/" + item.path("metadata").path("name").asText(), item);
        }
        for (Map.Entry<String, String> kind : DEFINITIONS.entrySet()) {
            schemas.put(kind.getKey(), StrictSchemas.ofKubernetes(SCHEMA, kind.getValue()));
        }
    }

    @Test
    void exactlyTheExpectedObjects() {
        assertThat(objects.keySet()).containsExactlyInAnyOrder("Deployment/ideogram-camel", "Service/ideogram-camel",
                "ConfigMap/ideogram-camel-routes", "ConfigMap/ideogram-camel-settings");
    }

    @Test
    void everyObjectIsValidWithUnknownFieldsRefused() {
        for (Map.Entry<String, JsonNode> object : objects.entrySet()) {
            StrictSchemas schema = schemas.get(object.getValue().path("kind").asText());
            assertThat(schema.problems(object.getValue())).as(object.getKey()).isEmpty();
        }
    }

    @Test
    void theValidationIsStrict() {
        ObjectNode deployment = objects.get("Deployment/ideogram-camel").deepCopy();
        ObjectNode container = (ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0);
        container.putObject("readinesProbe").put("periodSeconds", 5);
        assertThat(schemas.get("Deployment").problems(deployment)).anyMatch(p -> p.contains("readinesProbe"));

        ObjectNode service = objects.get("Service/ideogram-camel").deepCopy();
        ((ObjectNode) service.path("spec")).put("replicas", 3);
        assertThat(schemas.get("Service").problems(service)).anyMatch(p -> p.contains("replicas"));
    }

    @Test
    void routesConfigMapIsRoutesFolderByteForByte() throws Exception {
        JsonNode data = objects.get("ConfigMap/ideogram-camel-routes").path("data");
        List<String> keys = new ArrayList<>();
        data.fieldNames().forEachRemaining(keys::add);
        List<Path> routes = CamelKIntegrationGenerator.routeFiles(Path.of("."));
        assertThat(keys).containsExactlyInAnyOrderElementsOf(routes.stream().map(p -> p.getFileName().toString()).toList());
        for (Path route : routes) {
            assertThat(data.path(route.getFileName().toString()).asText().getBytes(StandardCharsets.UTF_8))
                    .as(route + " differs: regenerate (mvn process-resources)").isEqualTo(Files.readAllBytes(route));
        }
    }

    @Test
    void settingsConfigMapIsThePropertiesFilesByteForByte() throws Exception {
        JsonNode data = objects.get("ConfigMap/ideogram-camel-settings").path("data");
        for (String file : List.of("application.properties", "application-prod.properties")) {
            assertThat(data.path(file).asText().getBytes(StandardCharsets.UTF_8)).as(file)
                    .isEqualTo(Files.readAllBytes(Path.of(file)));
        }
    }

    @Test
    void deploymentRunsThreeProdReplicasWithProbesMetricsAndSecrets() {
        JsonNode deployment = objects.get("Deployment/ideogram-camel");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        JsonNode pod = deployment.path("spec").path("template");
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/path").asText()).isEqualTo("/observe/metrics");
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText()).isEqualTo("8080");
        JsonNode containers = pod.path("spec").path("containers");
        assertThat(containers).hasSize(1);
        JsonNode container = containers.get(0);
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/observe/health/ready");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/observe/health/live");
        assertThat(container.path("workingDir").asText()).isEqualTo("/deployments");

        Map<String, JsonNode> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        assertThat(env.get("CAMEL_MAIN_PROFILE").path("value").asText()).isEqualTo("prod");
        assertThat(env.get("STORE_JDBC_URL").path("value").asText()).startsWith("jdbc:postgresql://");
        assertThat(env.get("IDEOGRAM_WEBHOOK_PUBLIC_URL").path("value").asText()).startsWith("https://");
        assertThat(env.get("STORAGE_S3_BUCKET").path("value").asText()).isNotBlank();
        for (String secret : List.of("IDEOGRAM_API_KEY", "STORE_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "API_TOKEN")) {
            assertThat(env.get(secret).path("valueFrom").path("secretKeyRef").path("name").asText()).as(secret)
                    .isEqualTo("ideogram-camel");
        }

        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
        assertThat(mounts).containsEntry("/deployments/routes", "routes")
                .containsEntry("/deployments/application.properties", "settings")
                .containsEntry("/deployments/application-prod.properties", "settings");
        Map<String, String> volumes = new HashMap<>();
        pod.path("spec").path("volumes").forEach(v -> volumes.put(v.path("name").asText(),
                v.path("configMap").path("name").asText()));
        assertThat(volumes).containsEntry("routes", "ideogram-camel-routes").containsEntry("settings", "ideogram-camel-settings");
    }

    @Test
    void serviceExposesTheHttpPortWithScrapeAnnotations() {
        JsonNode service = objects.get("Service/ideogram-camel");
        assertThat(service.path("spec").path("ports")).hasSize(1);
        assertThat(service.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(8080);
        assertThat(service.path("metadata").path("annotations").path("prometheus.io/path").asText()).isEqualTo("/observe/metrics");
    }
}
