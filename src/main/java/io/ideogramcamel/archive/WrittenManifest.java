package io.ideogramcamel.archive;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A manifest as the archive wrote it: its object key and content. Marking the generation ARCHIVED
 * takes it, so the generation.completed event repeats the manifest's images[] rather than a second
 * shape of them.
 */
public record WrittenManifest(String key, JsonNode content) {
}
