package io.ideogramcamel.archive;

/**
 * One variant of one image as rendered: the encoded bytes to store, or the fixed reason it could
 * not be made (then nothing is stored and the variant is recorded FAILED).
 */
public record VariantOutput(VariantSpec spec, byte[] bytes, String failureReason) {

    public static VariantOutput of(VariantSpec spec, byte[] bytes) {
        return new VariantOutput(spec, bytes, null);
    }

    public static VariantOutput failure(VariantSpec spec, String reason) {
        return new VariantOutput(spec, null, reason);
    }

    /** For the route's choice: whether there is an object to store. (No factory may be named made: simple's OGNL would call it.) */
    public boolean isMade() {
        return bytes != null;
    }
}
