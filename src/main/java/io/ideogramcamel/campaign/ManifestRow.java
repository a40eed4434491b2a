package io.ideogramcamel.campaign;

import java.util.ArrayList;
import java.util.List;

/**
 * One archived image of a campaign, as GET /campaigns/{id}/manifest lists it (JSON and CSV). The
 * columns are named and ordered here, and only here, so both forms gain a column at once.
 */
public record ManifestRow(String product, String format, String generationId, int imageIndex, String objectKey,
        String contentType, Long sizeBytes, String sha256, VariantKeys variants) {

    /** The column names, in order: the JSON field names and the CSV header. */
    public static final List<String> COLUMNS = List.of("product", "format", "generation_id", "image_index",
            "object_key", "content_type", "size_bytes", "sha256", "variants");

    /** This row's values in {@link #COLUMNS} order (null where unknown). */
    public List<Object> values() {
        List<Object> values = new ArrayList<>();
        values.add(product);
        values.add(format);
        values.add(generationId);
        values.add(imageIndex);
        values.add(objectKey);
        values.add(contentType);
        values.add(sizeBytes);
        values.add(sha256);
        values.add(variants);
        return values;
    }
}
