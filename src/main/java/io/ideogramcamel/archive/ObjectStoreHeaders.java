package io.ideogramcamel.archive;

/**
 * Header names the object-store routes read, neutral between S3 and the local folder; each
 * store-object route maps them onto its component's own headers.
 */
public final class ObjectStoreHeaders {

    public static final String CONTENT_LENGTH = "objectContentLength";
    public static final String CONTENT_TYPE = "objectContentType";
    /** Camel's redelivery headers: clearing them mid-retry broke the retry bookkeeping in tests. */
    public static final String KEEP_REDELIVERY_STATE = "CamelRedelivery*";

    private ObjectStoreHeaders() {
    }
}
