package io.ideogramcamel.submit;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code metadata} a caller of POST /generations may attach: a JSON object whose keys are
 * non-empty and whose values are all strings, at most 4 KiB as compact JSON. It travels in every
 * event and the manifest, so it stays small and flat: receivers can rely on its shape.
 */
final class MetadataRule {

    static final int MAX_BYTES = 4096;

    private MetadataRule() {
    }

    /** The metadata as compact JSON, or null when it breaks a rule. */
    static String compactOrNull(JsonNode metadata) {
        if (metadata == null || !metadata.isObject()) {
            return null;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().isEmpty() || !field.getValue().isTextual()) {
                return null;
            }
        }
        String compact = metadata.toString();
        return compact.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES ? compact : null;
    }
}
