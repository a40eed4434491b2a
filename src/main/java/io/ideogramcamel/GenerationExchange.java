package io.ideogramcamel;

/**
 * Names of the exchange properties the routes and beans hand each other, kept in one place so a
 * route file and a bean cannot drift apart.
 */
public final class GenerationExchange {

    /**
     * The generation's key in the store, the idempotency key: Ideogram's id (from the verified
     * signature header), or provider/id for another provider (see GenerationKey).
     */
    public static final String GENERATION_ID = "generationId";
    /**
     * The account id a verified Ed25519 signature covers (Ideogram's or fal's user id header), set
     * by the verifier once the signature holds: what allowed-user-ids is checked against.
     */
    public static final String SIGNED_USER_ID = "signedUserId";
    /**
     * The provider's own id a verified signature covers, before it becomes a store key (fal's
     * request id): the body's id must equal it.
     */
    public static final String SIGNED_ID = "signedId";
    /**
     * The API answer's Content-Type when it is not JSON (a campaign manifest as text/csv), set by the
     * route and applied by rest-api.camel.yaml's answer cleanup, which removes every other header.
     */
    public static final String ANSWER_CONTENT_TYPE = "answerContentType";
    /** The provider a callback came from (hmac, standard, fal, imagineapi, runblob). */
    public static final String PROVIDER = "provider";
    /** A refused webhook's HTTP status (an Integer), set once by the refusal handler for its steps. */
    public static final String REJECTION_STATUS = "webhookRejectionStatus";
    /** A refused webhook's fixed reason token, set once by the refusal handler for its steps. */
    public static final String REJECTION_REASON = "webhookRejectionReason";
    /**
     * The provider's own id of this delivery (Standard Webhooks' webhook-id, an event id...), when
     * it names deliveries, set once the signature verified: the same id on a redelivery.
     */
    public static final String DELIVERY_ID = "deliveryId";
    /** The provider's status as sent (succeeded, OK, in-progress...): the provider route's choice reads it. */
    public static final String PROVIDER_STATUS = "providerStatus";
    /** Percent done before a result, when the provider says (an Integer), else null. */
    public static final String PROVIDER_PROGRESS = "providerProgress";
    /** An unsigned provider's own id of the item a callback is about (the confirmation call asks for it). */
    public static final String PROVIDER_ITEM_ID = "providerItemId";
    /** The HTTP status the provider's API answered a confirmation with, 0 when it could not be asked. */
    public static final String CONFIRMATION_CODE = "confirmationCode";
    /** The item's status as the provider's API states it (a short token), when its answer was usable. */
    public static final String CONFIRMED_STATUS = "confirmedStatus";
    /** The fixed token a provider's failure is recorded with (provider_failed, canceled...). */
    public static final String FAILURE_REASON = "failureReason";
    /** Where the generation came from: webhook or poll. */
    public static final String SOURCE = "generationSource";
    /** Ideogram's "created" value from the delivery, as sent (may be null). */
    public static final String CREATED = "generationCreated";
    /** The delivery's data[] array as compact JSON text. */
    public static final String IMAGES = "generationImages";
    /**
     * Ideogram's {@code usage_cost_usd_micros} of the generation (a Long, 0 to {@link #MAX_COST_MICROS}),
     * from a completed poll answer or a webhook body; absent when unknown.
     */
    public static final String COST_MICROS = "generationCostMicros";
    /** The largest cost believed (USD 1,000,000 in micros); a larger or negative value is ignored. */
    public static final long MAX_COST_MICROS = 1_000_000_000_000L;

    /** POST /generations: the validated request as compact JSON, the body sent to Ideogram. */
    public static final String GENERATE_REQUEST = "generateRequest";
    /** POST /generations: the caller's validated callback_url (kept, never sent to Ideogram), or null. */
    public static final String CALLBACK_URL = "generateCallbackUrl";
    /** POST /generations: the caller's validated metadata as compact JSON (kept, never sent), or null. */
    public static final String METADATA = "generateMetadata";
    /** POST /generations: how many images the request asks for (its places in the budget). */
    public static final String IMAGE_COUNT = "generateImageCount";
    /** POST /generations: the submission row the answer is about (a store.Submission). */
    public static final String SUBMISSION = "submission";
    /** POST /generations: true when the Idempotency-Key was seen before (the first answer is replayed). */
    public static final String REPEATED = "submissionRepeated";
    /** POST /campaigns: the validated campaign, expanded into its requests (a campaign.CampaignPlan). */
    public static final String CAMPAIGN_PLAN = "campaignPlan";
    /** POST /campaigns: true when the Idempotency-Key was seen before (the first campaign is answered). */
    public static final String CAMPAIGN_REPEATED = "campaignRepeated";
    /** POST /campaigns: the campaign the answer is about (a campaign.Campaign: new, or the first under the key). */
    public static final String CAMPAIGN = "campaign";
    /** POST /campaigns: whether that campaign was recorded from this body (false: 422 idempotency_key_reused). */
    public static final String CAMPAIGN_BODY_MATCHES = "campaignBodyMatches";
    /** The right to send one submission now (a store.SendClaim), or null. */
    public static final String SEND_CLAIM = "sendClaim";
    /** The poller's lease token on the generation it polls. */
    public static final String POLL_LEASE = "pollLease";
    /** What one poll came to (completed, duplicate, pending, failed, retry...): its counter's tag. */
    public static final String POLL_OUTCOME = "pollOutcome";
    /**
     * POST /generations/{id}/retry: what the retry came to (an archive.RetryOutcome); the route's
     * choice reads its outcome, the answer is its body.
     */
    public static final String RETRY_OUTCOME = "retryOutcome";
    /**
     * The archive: the manifest as written (an archive.WrittenManifest, its key and content), from
     * which the generation.completed event is made in the same transaction as ARCHIVED.
     */
    public static final String MANIFEST = "archiveManifest";
    /** Set by accept-generation: true when this exchange recorded the result, false for a duplicate. */
    public static final String ACCEPTED = "generationAccepted";

    /** Events: the delivery claimed for this attempt (an events.DeliveryClaim), or null. */
    public static final String EVENT_CLAIM = "eventClaim";
    /**
     * Events: where this attempt goes, as configured now (a Camel URI, a webhook URL, or the
     * submission's callback URL); may hold credentials or tokens, so never logged.
     */
    public static final String EVENT_TARGET = "eventTarget";
    /** Events: the delivery's destination as a metric tag (a configured name, callback_url, or unconfigured). */
    public static final String EVENT_DESTINATION = "eventDestination";
    /** Events: the HTTP status a callback answered (an Integer), absent for an endpoint. */
    public static final String EVENT_STATUS = "eventStatus";
    /** Events: why a callback's host is refused (a fixed token), or null when it may be called. */
    public static final String EVENT_REFUSAL = "eventRefusal";
    /** Events: whether a signing secret is set (a Boolean): a callback is never sent unsigned. */
    public static final String EVENT_SIGNABLE = "eventSignable";
    /** Events: what this attempt came to (delivered, retried, dead): its counter's name. */
    public static final String EVENT_OUTCOME = "eventOutcome";

    /**
     * The archive: images spooled to archive.spool-dir on this exchange (a Map of image index to
     * Path), so their variants are decoded from the spool instead of read back from the store.
     */
    public static final String SPOOLED_IMAGES = "archiveSpooledImages";
    /**
     * POST /generations/{id}/variants: the generation's state as the route's choice reads it
     * (QUEUED ... ARCHIVED, FAILED, or archive.VariantRemake.NOT_FOUND).
     */
    public static final String GENERATION_STATE = "generationState";
    /** POST /generations/{id}/variants: set to queue_full when the re-make's queue refused the work. */
    public static final String VARIANTS_REFUSAL = "variantsRefusal";
    /** Variants: how many images the plan has (an Integer), the outer loop's count in make-variants. */
    public static final String VARIANT_IMAGE_COUNT = "variantImageCount";
    /** Variants: how many outputs this image's render gave (an Integer), the inner loop's count. */
    public static final String VARIANT_OUTPUT_COUNT = "variantOutputCount";
    /** Variants: true when made under the re-make's lease (POST /generations/{id}/variants), else the archive's. */
    public static final String VARIANT_REMAKE = "variantRemake";
    /** Variants: the stored images with variants to make (a List of archive.VariantJob). */
    public static final String VARIANT_PLAN = "variantPlan";
    /** Variants: which entry of the plan this loop turn makes; set by the loop of make-variants. */
    public static final String VARIANT_PLAN_INDEX = "variantPlanIndex";
    /** Variants: this turn's archive.VariantJob. */
    public static final String VARIANT_JOB = "variantJob";
    /** Variants: the file this turn's source image is decoded from (a Path). */
    public static final String VARIANT_SOURCE = "variantSource";
    /**
     * Variants: why this turn's source could not be read back (a failure token such as too_large),
     * when it was not simply gone; its variants are FAILED with it instead of source_missing.
     */
    public static final String VARIANT_SOURCE_REFUSAL = "variantSourceRefusal";
    /** Variants: whether that file is a temporary copy (spooled, or read back from S3), deleted after decoding. */
    public static final String VARIANT_SOURCE_TEMPORARY = "variantSourceTemporary";
    /** Variants: what the turn's image came to (a List of archive.VariantOutput, one per spec to make). */
    public static final String VARIANT_OUTPUTS = "variantOutputs";
    /** Variants: which output the inner loop records; set by make-variants. */
    public static final String VARIANT_OUTPUT_INDEX = "variantOutputIndex";
    /** Variants: the inner loop's archive.VariantOutput. */
    public static final String VARIANT_OUTPUT = "variantOutput";
    /**
     * Variants: the object key a re-made variant had before (another format, so another key), set
     * by the record of its replacement; make-variants deletes that object. Null when nothing was replaced.
     */
    public static final String VARIANT_SUPERSEDED_KEY = "variantSupersededKey";
    /** Variants: how many variant rows this exchange recorded (an Integer): 0 means nothing changed. */
    public static final String VARIANTS_RECORDED = "variantsRecorded";

    private GenerationExchange() {
    }
}
