package io.ideogramcamel.archive;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads the image list the store kept from the delivery (already validated as a JSON array). */
public final class ImageEntries {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageEntries() {
    }

    public static List<ImageEntry> parse(String imagesJson) {
        List<ImageEntry> entries = new ArrayList<>();
        if (imagesJson == null || imagesJson.isBlank()) {
            return entries;
        }
        JsonNode array;
        try {
            array = JSON.readTree(imagesJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ArchiveFailedException("stored_image_list_unreadable");
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode image = array.get(i);
            JsonNode safe = image.get("is_image_safe");
            entries.add(new ImageEntry(i,
                    text(image, "url"),
                    // absent means Ideogram did not flag it; only an explicit false is unsafe
                    safe == null || safe.isNull() || safe.asBoolean(true),
                    image.hasNonNull("seed") && image.get("seed").canConvertToLong() ? image.get("seed").asLong() : null,
                    text(image, "prompt"),
                    text(image, "resolution")));
        }
        return entries;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
