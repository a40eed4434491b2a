package io.ideogramcamel.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Camel K Integration the build wrote (target/camel-k/ideogram-camel.yaml): valid against the
 * Integration CRD of Camel K 2.4.0 with unknown fields refused, carrying exactly the route files of
 * routes/, the library as a mvn: dependency, and properties without camel-main-only keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CamelKIntegrationTest {

    static final Path GENERATED = Path.of("target/camel-k/ideogram-camel.yaml");
    static final Path CRD = Path.of("target/schemas/camel-k/camel.apache.org_integrations.yaml");
    static final Path NETWORK_POLICY = Path.of("deploy/camel-k/networkpolicy.yaml");

    private StrictSchemas crd;
    private JsonNode integration;

    @BeforeAll
    void load() throws Exception {
        assertThat(GENERATED).as("written by the camel-k-integration execution (process-test-classes)").isRegularFile();
        assertThat(CRD).as("unpacked from org.apache.camel.k:camel-k-crds").isRegularFile();
        crd = StrictSchemas.ofCrd(CRD, "v1");
        integration = CamelKIntegrationGenerator.read(GENERATED);
    }

    @Test
    void integrationIsValidAgainstTheCrdWithUnknownFieldsRefused() {
        assertThat(integration.path("apiVersion").asText()).isEqualTo("camel.apache.org/v1");
        assertThat(integration.path("kind").asText()).isEqualTo("Integration");
        assertThat(crd.problems(integration)).isEmpty();
    }

    @Test
    void theValidationIsStrict() {
        ObjectNode misspelt = integration.deepCopy();
        ((ObjectNode) misspelt.path("spec")).put("replica", 3);
        assertThat(crd.problems(misspelt)).anyMatch(p -> p.contains("replica"));

        ObjectNode unknownTraitField = integration.deepCopy();
        ((ObjectNode) unknownTraitField.path("spec").path("traits").path("camel")).put("propertys", "x");
        assertThat(crd.problems(unknownTraitField)).anyMatch(p -> p.contains("propertys"));

        ObjectNode wrongType = integration.deepCopy();
        ((ObjectNode) wrongType.path("spec")).put("replicas", "three");
        assertThat(crd.problems(wrongType)).isNotEmpty();
    }

    @Test
    void sourcesAreTheRouteFilesByteForByte() throws Exception {
        List<Path> routes = CamelKIntegrationGenerator.routeFiles(Path.of("."));
        assertThat(routes).isNotEmpty();
        List<String> names = new ArrayList<>();
        for (JsonNode source : integration.path("spec").path("sources")) {
            String name = source.path("name").asText();
            names.add(name);
            Path file = Path.of("routes", name);
            assertThat(file).as("a source without a file in routes/: regenerate (mvn process-test-classes)").isRegularFile();
            assertThat(source.path("content").asText().getBytes(StandardCharsets.UTF_8))
                    .as(name + " differs from routes/: regenerate (mvn process-test-classes)")
                    .isEqualTo(Files.readAllBytes(file));
        }
        assertThat(names).containsExactlyElementsOf(routes.stream().map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void theLibraryIsTheOnlyDependencyAsMavenCoordinates() {
        JsonNode dependencies = integration.path("spec").path("dependencies");
        assertThat(dependencies).hasSize(1);
        String gav = System.getProperty("library.gav", "io.ideogramcamel:ideogram-camel:0.1.0-SNAPSHOT");
        assertThat(dependencies.get(0).asText()).isEqualTo("mvn:" + gav);
    }

    @Test
    void propertiesAreTheFilesWithoutCamelMainOnlyKeys() throws Exception {
        List<String> properties = new ArrayList<>();
        integration.path("spec").path("traits").path("camel").path("properties").forEach(p -> properties.add(p.asText()));
        assertThat(properties).noneMatch(p -> p.startsWith("camel.server.") || p.startsWith("camel.management.")
                || p.startsWith("camel.main.routes-include-pattern="));
        Map<String, String> base = CamelKIntegrationGenerator.load(Path.of("application.properties"));
        Map<String, String> prod = CamelKIntegrationGenerator.load(Path.of("application-prod.properties"));
        assertThat(properties).contains("ideogram.webhook.path=" + base.get("ideogram.webhook.path"))
                .contains("store.jdbc-url=" + prod.get("store.jdbc-url"))
                .contains("quarkus.http.limits.max-body-size=" + base.get("ideogram.webhook.max-body-bytes"))
                .contains("quarkus.http.idle-timeout=" + base.get("http.idle-timeout-seconds"))
                .contains("quarkus.http.limits.max-connections=" + base.get("http.max-connections"))
                .contains("quarkus.http.limits.max-header-size=" + base.get("http.max-header-bytes"))
                .contains("quarkus.http.limits.max-initial-line-length=" + base.get("http.max-initial-line-bytes"));
        long expected = base.keySet().stream().filter(k -> !k.startsWith("camel.server.")
                && !k.startsWith("camel.management.") && !k.equals("camel.main.routes-include-pattern")).count()
                + prod.keySet().stream().filter(k -> !base.containsKey(k)).count() + 5;
        assertThat(properties).hasSize((int) expected);
    }

    @Test
    void filesForTheKamelRunLineHoldTheSameProperties() throws Exception {
        Map<String, String> written = CamelKIntegrationGenerator.load(GENERATED.resolveSibling("integration.properties"));
        assertThat(written).containsExactlyEntriesOf(CamelKIntegrationGenerator.integrationProperties(Path.of(".")));
        JsonNode podTemplate = CamelKIntegrationGenerator.read(GENERATED.resolveSibling("pod-template.yaml"));
        assertThat(podTemplate).isEqualTo(integration.path("spec").path("template").path("spec"));
    }

    @Test
    void theContainerTraitSaysWhatItCanOfTheSecurityContext() {
        JsonNode container = integration.path("spec").path("traits").path("container");
        assertThat(container.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.path("runAsUser").asInt()).isEqualTo(185);
        assertThat(container.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(container.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.path("capabilitiesDrop")).extracting(JsonNode::asText).containsExactly("ALL");
        assertThat(container.path("seccompProfileType").asText()).isEqualTo("RuntimeDefault");
        // what the trait cannot say is refused by the CRD, so it is in the pod template instead
        ObjectNode readOnly = integration.deepCopy();
        ((ObjectNode) readOnly.path("spec").path("traits").path("container")).put("readOnlyRootFilesystem", true);
        assertThat(crd.problems(readOnly)).anyMatch(p -> p.contains("readOnlyRootFilesystem"));

        assertThat(integration.path("spec").path("traits").path("jvm").path("options")).extracting(JsonNode::asText)
                .contains("-Djava.io.tmpdir=/tmp", "-Dvertx.cacheDirBase=/tmp/vertx-cache");
    }

    @Test
    void thePodTemplateMakesTheRootFilesystemReadOnlyWithASizeLimitedTmpAndNoToken() {
        assertThat(integration.path("spec").path("traits").path("pod").path("enabled").asBoolean()).isTrue();
        JsonNode pod = integration.path("spec").path("template").path("spec");
        assertThat(pod.path("automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(pod.path("automountServiceAccountToken").asBoolean()).isFalse();
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(185);
        assertThat(pod.path("securityContext").path("runAsGroup").asInt()).isEqualTo(185);
        assertThat(pod.path("securityContext").path("fsGroup").asInt()).isEqualTo(185);
        assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");

        JsonNode container = pod.path("containers").get(0);
        JsonNode context = container.path("securityContext");
        assertThat(context.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(context.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(context.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(context.path("capabilities").path("drop")).extracting(JsonNode::asText).containsExactly("ALL");

        assertThat(pod.path("volumes")).hasSize(1);
        JsonNode tmp = pod.path("volumes").get(0);
        assertThat(tmp.path("emptyDir").path("sizeLimit").asText()).isEqualTo("1Gi");
        assertThat(container.path("volumeMounts")).hasSize(1);
        assertThat(container.path("volumeMounts").get(0).path("name").asText()).isEqualTo(tmp.path("name").asText());
        assertThat(container.path("volumeMounts").get(0).path("mountPath").asText()).isEqualTo("/tmp");
    }

    @Test
    void theNetworkPolicyIsValidAndSelectsTheIntegrationsPods() throws Exception {
        StrictSchemas networking = StrictSchemas.ofKubernetes(KubernetesManifestsTest.NETWORKING_SCHEMA,
                "kubernetes_networking_v1_NetworkPolicy");
        JsonNode policy = CamelKIntegrationGenerator.read(NETWORK_POLICY);
        assertThat(policy.path("kind").asText()).isEqualTo("NetworkPolicy");
        assertThat(networking.problems(policy)).isEmpty();
        ObjectNode misspelt = policy.deepCopy();
        ((ObjectNode) misspelt.path("spec")).putArray("egres");
        assertThat(networking.problems(misspelt)).anyMatch(p -> p.contains("egres"));

        JsonNode spec = policy.path("spec");
        assertThat(spec.path("podSelector").path("matchLabels").path("camel.apache.org/integration").asText())
                .isEqualTo(integration.path("metadata").path("name").asText());
        assertThat(spec.path("policyTypes")).extracting(JsonNode::asText).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(spec.path("ingress")).hasSize(1);
        assertThat(spec.path("ingress").get(0).path("ports")).extracting(p -> p.path("port").asText()).containsExactly("http");
        List<String> egressPorts = new ArrayList<>();
        spec.path("egress").forEach(rule -> rule.path("ports")
                .forEach(p -> egressPorts.add(p.path("protocol").asText() + "/" + p.path("port").asText())));
        assertThat(egressPorts).containsExactlyInAnyOrder("UDP/53", "TCP/53", "TCP/5432", "TCP/443");
    }

    @Test
    void secretsComeFromTheSecretNeverFromTheFile() {
        JsonNode container = integration.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("name").asText()).isEqualTo("integration");
        List<String> fromSecret = new ArrayList<>();
        container.path("env").forEach(e -> {
            if (e.has("valueFrom")) {
                assertThat(e.path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("ideogram-camel");
                fromSecret.add(e.path("name").asText());
            }
        });
        assertThat(fromSecret).containsExactlyInAnyOrder(
                "IDEOGRAM_API_KEY", "STORE_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "API_TOKEN");
    }
}
