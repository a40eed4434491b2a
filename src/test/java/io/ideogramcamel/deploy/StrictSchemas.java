package io.ideogramcamel.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Offline, strict schema validation: every object schema that lists its properties is closed
 * ({@code additionalProperties: false}), so a misspelt or unknown field fails, which neither the
 * Kubernetes API's defaults nor JKube's validation would catch. Schemas that say they preserve
 * unknown fields ({@code x-kubernetes-preserve-unknown-fields}, free-form maps) stay open.
 */
public final class StrictSchemas {

    private final JsonSchema schema;

    private StrictSchemas(JsonSchema schema) {
        this.schema = schema;
    }

    /** The v1 openAPIV3Schema of a CRD file (such as camel.apache.org_integrations.yaml). */
    public static StrictSchemas ofCrd(Path crdFile, String version) throws IOException {
        JsonNode crd = CamelKIntegrationGenerator.yaml().readTree(crdFile.toFile());
        JsonNode openApi = null;
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (version.equals(v.path("name").asText())) {
                openApi = v.path("schema").path("openAPIV3Schema").deepCopy();
            }
        }
        if (openApi == null) {
            throw new IllegalArgumentException(crdFile + " has no version " + version);
        }
        close(openApi);
        return new StrictSchemas(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi, config()));
    }

    /**
     * One definition (such as kubernetes_apps_Deployment) of fabric8's Kubernetes validation schema,
     * the one JKube validates with, all its definitions closed.
     */
    public static StrictSchemas ofKubernetes(Path validationSchema, String definition) throws IOException {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(Files.readString(validationSchema));
        if (!root.path("definitions").has(definition)) {
            throw new IllegalArgumentException(validationSchema + " has no definition " + definition);
        }
        ObjectNode definitions = (ObjectNode) root.get("definitions");
        // fabric8 describes these two by their Java classes; on the wire (and in the Kubernetes API's
        // own OpenAPI) they are scalars: 8080 or "http", "384Mi" or 2
        definitions.putObject("kubernetes_apimachinery_pkg_util_intstr_IntOrString")
                .putArray("type").add("integer").add("string");
        definitions.putObject("k8s_io_apimachinery_pkg_api_resource_Quantity")
                .putArray("type").add("string").add("number");
        close(root);
        ObjectNode entry = root.deepCopy();
        entry.remove("properties");
        entry.remove("resources");
        entry.remove("additionalProperties");
        entry.remove("type");
        entry.remove("id");
        entry.remove("$module");
        entry.put("$ref", "#/definitions/" + definition);
        return new StrictSchemas(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(entry, config()));
    }

    private static SchemaValidatorsConfig config() {
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().build();
        return config;
    }

    /**
     * Closes every object schema with named properties, unless it says unknown fields are kept.
     * Walks schema positions only (a property may itself be named "properties" or "required").
     */
    static void close(JsonNode node) {
        if (!node.isObject()) {
            return;
        }
        ObjectNode schema = (ObjectNode) node;
        boolean preserves = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.path("properties").isObject() && !preserves && !schema.path("additionalProperties").isObject()) {
            schema.put("additionalProperties", false);
        }
        // fabric8's schema marks required properties with "required": true inside the property,
        // which is not JSON Schema: drop it rather than let a validator misread it
        if (schema.path("required").isBoolean()) {
            schema.remove("required");
        }
        for (String map : new String[] { "properties", "definitions", "patternProperties" }) {
            schema.path(map).forEach(StrictSchemas::close);
        }
        for (String single : new String[] { "items", "additionalProperties", "not", "additionalItems" }) {
            JsonNode child = schema.path(single);
            if (child.isArray()) {
                child.forEach(StrictSchemas::close);
            } else {
                close(child);
            }
        }
        for (String list : new String[] { "allOf", "anyOf", "oneOf" }) {
            schema.path(list).forEach(StrictSchemas::close);
        }
    }

    /** The problems found, one line each, sorted; empty when the document is valid. */
    public Set<String> problems(JsonNode document) {
        Set<ValidationMessage> messages = schema.validate(document);
        return messages.stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(TreeSet::new));
    }
}
