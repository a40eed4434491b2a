package io.ideogramcamel.webhook;

/**
 * Every way a webhook delivery can be refused, with the fixed HTTP status and the fixed token that
 * is the whole of the error body, the log reason and the metric tag. Tokens never carry input.
 */
public enum WebhookRejection {
    MISSING_SIGNATURE_HEADERS(401, "missing_signature_headers"),
    MALFORMED_SIGNATURE_HEADERS(401, "malformed_signature_headers"),
    STALE_TIMESTAMP(401, "stale_timestamp"),
    UNKNOWN_KEY(401, "unknown_key"),
    INVALID_SIGNATURE(401, "invalid_signature"),
    // No key set held at all (the JWKS has not been had yet): 503 so Ideogram retries later.
    KEYS_UNAVAILABLE(503, "keys_unavailable"),
    INVALID_JSON(400, "invalid_json"),
    MISSING_GENERATION_ID(400, "missing_generation_id"),
    INVALID_GENERATION_ID(400, "invalid_generation_id"),
    GENERATION_ID_MISMATCH(400, "generation_id_mismatch"),
    INVALID_IMAGE_LIST(400, "invalid_image_list"),
    TOO_MANY_IMAGES(400, "too_many_images"),
    INVALID_CREATED(400, "invalid_created"),
    // Another provider's id (a prediction id, an event id) that cannot be a store key or object path.
    INVALID_PROVIDER_ID(400, "invalid_provider_id"),
    // A provider's status that is missing or not a short lower-case token.
    INVALID_PROVIDER_STATUS(400, "invalid_provider_status");

    private final int status;
    private final String reason;

    WebhookRejection(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }
}
