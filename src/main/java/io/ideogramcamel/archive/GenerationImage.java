package io.ideogramcamel.archive;

/**
 * One row of {@code generation_image}: what the archiver did with one image of a generation.
 *
 * @param generationId  Ideogram's id
 * @param index         position in the delivery's data[]
 * @param outcome       {@link #STORED} or {@link #REFUSED}
 * @param objectKey     where the image is stored; null when refused
 * @param contentType   the stored object's content type; null when refused
 * @param sizeBytes     the stored object's size; null when refused
 * @param sha256        lower-case hex digest of the stored bytes; null when refused
 * @param refusedReason why it was not fetched (a fixed token); null when stored
 * @param recordedAt    epoch milliseconds
 */
public record GenerationImage(
        String generationId,
        int index,
        String outcome,
        String objectKey,
        String contentType,
        Long sizeBytes,
        String sha256,
        String refusedReason,
        long recordedAt) {

    public static final String STORED = "STORED";
    public static final String REFUSED = "REFUSED";

    public boolean isStored() {
        return STORED.equals(outcome);
    }
}
