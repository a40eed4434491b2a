package io.ideogramcamel.archive;

/**
 * One row of {@code generation_variant}: one web-ready size of one stored image.
 *
 * @param generationId  the generation's key
 * @param index         the image's position in the delivery's data[]
 * @param variant       the name in variants.names
 * @param outcome       {@link #STORED} or {@link #FAILED}
 * @param objectKey     where it is stored; null when failed
 * @param contentType   the stored object's content type; null when failed
 * @param width         the spec's width it was made with
 * @param height        the spec's height
 * @param format        the spec's format (webp, png, jpeg)
 * @param quality       the spec's quality
 * @param sizeBytes     the stored object's size; null when failed
 * @param sha256        lower-case hex digest of the stored bytes; null when failed
 * @param failureReason a fixed token (undecodable, too_large...); null when stored
 * @param recordedAt    epoch milliseconds
 */
public record GenerationVariant(
        String generationId,
        int index,
        String variant,
        String outcome,
        String objectKey,
        String contentType,
        int width,
        int height,
        String format,
        int quality,
        Long sizeBytes,
        String sha256,
        String failureReason,
        long recordedAt) {

    public static final String STORED = "STORED";
    public static final String FAILED = "FAILED";

    public static GenerationVariant stored(String generationId, int index, VariantSpec spec, String objectKey,
            long sizeBytes, String sha256) {
        return new GenerationVariant(generationId, index, spec.name(), STORED, objectKey, spec.contentType(),
                spec.width(), spec.height(), spec.format(), spec.quality(), sizeBytes, sha256, null, 0);
    }

    public static GenerationVariant failed(String generationId, int index, VariantSpec spec, String reason) {
        return new GenerationVariant(generationId, index, spec.name(), FAILED, null, null,
                spec.width(), spec.height(), spec.format(), spec.quality(), null, null, reason, 0);
    }

    public boolean isStored() {
        return STORED.equals(outcome);
    }

    /** Whether this row was made to the spec as configured now; if not, the re-make makes it again. */
    public boolean matches(VariantSpec spec) {
        return spec.sameAs(width, height, format, quality);
    }
}
