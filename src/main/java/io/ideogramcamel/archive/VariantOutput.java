package io.ideogramcamel.archive;

/**
 * One variant of one image as rendered: the encoded bytes to store, or the fixed reason it could
 * not be made (then nothing is stored and the variant is recorded FAILED).
 */
public record VariantOutput(VariantSpec spec, byte[] bytes, String failureReason) {

    public static VariantOutput made(VariantSpec spec, byte[] bytes) {
        return new VariantOutput(spec, bytes, null);
    }

    public static VariantOutput failed(VariantSpec spec, String reason) {
        return new VariantOutput(spec, null, reason);
    }

    /** For the route's choice: whether there is an object to store. */
    public boolean isMade() {
        return bytes != null;
    }
}
