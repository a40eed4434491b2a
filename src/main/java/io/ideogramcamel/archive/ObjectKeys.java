package io.ideogramcamel.archive;

/**
 * The storage layout, one place: {@code {prefix}{generation_id}/{index}.{ext}}, the variants
 * {@code {prefix}{generation_id}/{index}-{variant}.{ext}} and {@code {prefix}{generation_id}/manifest.json},
 * the same in S3 and under storage.dir.
 */
public class ObjectKeys {

    private String prefix = "generations/";

    public void setPrefix(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    public String imageKey(String generationId, int index, String extension) {
        return prefix + generationId + "/" + index + "." + extension;
    }

    /** A web-ready size of one image: {@code {prefix}{generation_id}/{index}-{variant}.{ext}}. */
    public String variantKey(String generationId, int index, String variant, String extension) {
        return prefix + generationId + "/" + index + "-" + variant + "." + extension;
    }

    public String manifestKey(String generationId) {
        return prefix + generationId + "/manifest.json";
    }
}
