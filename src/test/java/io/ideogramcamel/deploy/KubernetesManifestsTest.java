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
 * as issue 8 asks (3 replicas, probes, scrape annotations, prod profile, secrets from a Secret),
 * hardened as issue 12 asks (non-root, read-only root filesystem, no service account token, health
 * and metrics on a management port the Service does not expose, a NetworkPolicy).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsTest {

    static final Path GENERATED = Path.of("target/kubernetes/kubernetes.yml");
    static final Path SCHEMA = Path.of("target/schemas/kubernetes/schema/validation-schema.json");
    static final Path NETWORKING_SCHEMA = Path.of("target/schemas/kubernetes-networking/schema/validation-schema.json");
    static final Map<String, String> DEFINITIONS = Map.of(
            "Deployment", "kubernetes_apps_Deployment",
            "Service", "kubernetes_core_Service",
            "ConfigMap", "kubernetes_core_ConfigMap");
    static final int MANAGEMENT_PORT = 9876;

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
        schemas.put("NetworkPolicy", StrictSchemas.ofKubernetes(NETWORKING_SCHEMA, "kubernetes_networking_v1_NetworkPolicy"));
    }

    @Test
    void exactlyTheExpectedObjects() {
        assertThat(objects.keySet()).containsExactlyInAnyOrder("Deployment/ideogram-camel", "Service/ideogram-camel",
                "ConfigMap/ideogram-camel-routes", "ConfigMap/ideogram-camel-settings",
                "NetworkPolicy/ideogram-camel");
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

        ObjectNode pod = (ObjectNode) deployment.path("spec").path("template").path("spec");
        ((ObjectNode) pod.path("securityContext")).put("readOnlyRootFilesystem", true);
        assertThat(schemas.get("Deployment").problems(deployment)).anyMatch(p -> p.contains("readOnlyRootFilesystem"));

        ObjectNode policy = objects.get("NetworkPolicy/ideogram-camel").deepCopy();
        ((ObjectNode) policy.path("spec")).putArray("ingres");
        assertThat(schemas.get("NetworkPolicy").problems(policy)).anyMatch(p -> p.contains("ingres"));
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
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText())
                .isEqualTo(Integer.toString(MANAGEMENT_PORT));
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
    void serviceExposesOnlyTheHttpPort() {
        JsonNode service = objects.get("Service/ideogram-camel");
        assertThat(service.path("spec").path("ports")).hasSize(1);
        assertThat(service.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(8080);
        assertThat(service.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
        // the pods carry the scrape annotations; the Service has no metrics port to point them at
        assertThat(service.path("metadata").path("annotations").has("prometheus.io/port")).isFalse();
    }

    @Test
    void healthAndMetricsAreOnTheManagementPort() {
        JsonNode container = container();
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertThat(ports).containsExactlyInAnyOrderEntriesOf(Map.of("http", 8080, "management", MANAGEMENT_PORT));
        assertThat(env(container).get("CAMEL_MANAGEMENT_PORT").path("value").asText()).isEqualTo(Integer.toString(MANAGEMENT_PORT));
        assertThat(env(container).get("CAMEL_SERVER_PORT").path("value").asText()).isEqualTo("8080");
        assertThat(container.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo("management");
        assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo("management");
    }

    @Test
    void podRunsAsNonRootWithAReadOnlyRootFilesystemAndNoToken() {
        JsonNode pod = objects.get("Deployment/ideogram-camel").path("spec").path("template").path("spec");
        assertThat(pod.path("automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(pod.path("automountServiceAccountToken").asBoolean()).isFalse();
        JsonNode podContext = pod.path("securityContext");
        assertThat(podContext.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(podContext.path("runAsUser").asInt()).isEqualTo(185);
        assertThat(podContext.path("runAsGroup").asInt()).isEqualTo(185);
        assertThat(podContext.path("fsGroup").asInt()).isEqualTo(185);
        assertThat(podContext.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

        JsonNode context = container().path("securityContext");
        assertThat(context.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(context.path("runAsUser").asInt()).isNotZero();
        assertThat(context.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(context.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(context.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(context.path("privileged").asBoolean(true)).isFalse();
        assertThat(context.path("capabilities").path("drop")).extracting(JsonNode::asText).containsExactly("ALL");
        assertThat(context.path("capabilities").has("add")).isFalse();
        assertThat(context.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    }

    @Test
    void everyWritablePlaceIsASizeLimitedEmptyDirAndTheJvmWritesOnlyThere() {
        JsonNode pod = objects.get("Deployment/ideogram-camel").path("spec").path("template").path("spec");
        Map<String, JsonNode> volumes = new HashMap<>();
        pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        Map<String, JsonNode> writable = new HashMap<>();
        container().path("volumeMounts").forEach(m -> {
            if (!m.path("readOnly").asBoolean(false)) {
                writable.put(m.path("mountPath").asText(), volumes.get(m.path("name").asText()));
            }
        });
        assertThat(writable).containsOnlyKeys("/tmp", "/deployments/data");
        writable.forEach((path, volume) -> {
            assertThat(volume.has("emptyDir")).as(path).isTrue();
            assertThat(volume.path("emptyDir").path("sizeLimit").asText()).as(path).matches("[0-9]+[MG]i");
        });
        String javaOptions = env(container()).get("JAVA_OPTIONS").path("value").asText();
        assertThat(javaOptions).contains("-Djava.io.tmpdir=/tmp").contains("-Dvertx.cacheDirBase=/tmp/");
    }

    @Test
    void networkPolicyAdmitsTheWebhookFromAnywhereAndTheManagementPortOnlyFromMonitoring() {
        JsonNode policy = objects.get("NetworkPolicy/ideogram-camel");
        assertThat(policy.path("apiVersion").asText()).isEqualTo("networking.k8s.io/v1");
        JsonNode spec = policy.path("spec");
        // it selects the Deployment's pods
        JsonNode podLabels = objects.get("Deployment/ideogram-camel").path("spec").path("template").path("metadata").path("labels");
        assertThat(spec.path("podSelector").path("matchLabels").properties()).isNotEmpty().allSatisfy(label ->
                assertThat(podLabels.path(label.getKey()).asText()).as(label.getKey()).isEqualTo(label.getValue().asText()));
        assertThat(spec.path("policyTypes")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Ingress", "Egress");

        JsonNode ingress = spec.path("ingress");
        assertThat(ingress).hasSize(2);
        Map<String, JsonNode> byPort = new HashMap<>();
        ingress.forEach(rule -> {
            assertThat(rule.path("ports")).hasSize(1);
            byPort.put(rule.path("ports").get(0).path("port").asText(), rule);
        });
        assertThat(byPort).containsOnlyKeys("http", "management");
        assertThat(byPort.get("http").has("from")).as("the webhook from anywhere").isFalse();
        JsonNode from = byPort.get("management").path("from");
        assertThat(from).hasSize(1);
        assertThat(from.get(0).path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText())
                .isEqualTo("monitoring");
        assertThat(from.get(0).path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText())
                .isEqualTo("prometheus");

        List<String> egressPorts = new ArrayList<>();
        spec.path("egress").forEach(rule -> {
            assertThat(rule.has("to")).isFalse();
            rule.path("ports").forEach(p -> egressPorts.add(p.path("protocol").asText() + "/" + p.path("port").asText()));
        });
        assertThat(egressPorts).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/5432", "TCP/443");
    }

    private JsonNode container() {
        return objects.get("Deployment/ideogram-camel").path("spec").path("template").path("spec").path("containers").get(0);
    }

    private static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        return env;
    }
}
