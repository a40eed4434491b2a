package io.ideogramcamel.standin;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Ideogram 4.0 fields of one submission, checked as Ideogram checks them. {@code prompt} is
 * the text prompt, or the structured prompt as compact JSON: that is what the images carry.
 */
record GenerationRequest(String prompt, String resolution, String renderingSpeed, long seed, int numImages) {

    static final int MAX_IMAGES = 8;
    private static final Set<String> SPEEDS = Set.of("TURBO", "BALANCED", "DEFAULT", "QUALITY");
    private static final ObjectMapper JSON = new ObjectMapper();

    static GenerationRequest parse(byte[] body) throws ApiError {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new ApiError(400, "The body must be a JSON object");
        }
        if (root == null || !root.isObject()) {
            throw new ApiError(400, "The body must be a JSON object");
        }
        JsonNode text = root.get("text_prompt");
        JsonNode structured = root.get("json_prompt");
        boolean hasText = text != null && !text.isNull();
        boolean hasStructured = structured != null && !structured.isNull();
        if (hasText == hasStructured) {
            throw new ApiError(400, "Exactly one of text_prompt and json_prompt is required");
        }
        String prompt;
        if (hasText) {
            if (!text.isTextual() || text.asText().isBlank()) {
                throw new ApiError(400, "text_prompt must be a non-empty string");
            }
            prompt = text.asText();
        } else {
            if (!structured.isObject()) {
                throw new ApiError(400, "json_prompt must be a JSON object");
            }
            prompt = structured.toString();
        }
        String resolution = text(root, "resolution", "1024x1024");
        if (!resolution.matches("[1-9][0-9]{1,4}x[1-9][0-9]{1,4}")) {
            throw new ApiError(400, "resolution must look like 1024x1024");
        }
        String speed = text(root, "rendering_speed", "DEFAULT");
        if (!SPEEDS.contains(speed)) {
            throw new ApiError(400, "rendering_speed must be one of " + SPEEDS);
        }
        long seed = integer(root, "seed", ThreadLocalRandom.current().nextInt(0, Integer.MAX_VALUE), 0, Integer.MAX_VALUE);
        int numImages = (int) integer(root, "num_images", 1, 1, MAX_IMAGES);
        return new GenerationRequest(prompt, resolution, speed, seed, numImages);
    }

    private static String text(JsonNode root, String field, String fallback) throws ApiError {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw new ApiError(400, field + " must be a string");
        }
        return node.asText();
    }

    private static long integer(JsonNode root, String field, long fallback, long min, long max) throws ApiError {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.canConvertToLong() || !node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw new ApiError(400, field + " must be an integer from " + min + " to " + max);
        }
        return node.asLong();
    }
}
