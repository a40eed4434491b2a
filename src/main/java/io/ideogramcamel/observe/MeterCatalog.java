package io.ideogramcamel.observe;

import java.util.Arrays;
import java.util.List;

import io.ideogramcamel.events.EventDeliveries;
import io.ideogramcamel.events.EventDestinations;
import io.ideogramcamel.webhook.WebhookRejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.Exchange;

/**
 * Registers every counter the routes increment, at 0 and with its HELP text, before the first
 * event: a rate() or an alert on a series that does not exist yet sees nothing, and a counter made
 * by a {@code micrometer:counter:} endpoint has no description.
 *
 * <p>The series carry exactly the tags the micrometer component gives them (its
 * {@code camelContext} tag and the endpoint's own), so the endpoint later increments these very
 * meters instead of making new ones.
 */
public class MeterCatalog {

    /** Camel's micrometer producer adds this tag (the context's name) to every meter it makes. */
    static final String CONTEXT_TAG = "camelContext";

    /** One counter: its name, its HELP text, and, for a tagged one, the tag and its documented values. */
    record Entry(String name, String description, String tag, List<String> values) {

        static Entry plain(String name, String description) {
            return new Entry(name, description, null, List.of());
        }

        static Entry tagged(String name, String description, String tag, List<String> values) {
            return new Entry(name, description, tag, values);
        }
    }

    /** The providers besides Ideogram, each one route file under routes/. */
    static final List<String> PROVIDERS = List.of("hmac", "standard", "fal", "imagineapi", "runblob");

    static final List<Entry> COUNTERS = List.of(
            Entry.plain("ideogram.webhook.accepted", "Webhook deliveries verified and stored (answered 200)"),
            Entry.plain("ideogram.webhook.duplicate", "Webhook deliveries of a generation already stored (answered 200)"),
            Entry.tagged("ideogram.webhook.rejected", "Webhook deliveries refused, by reason token",
                    "reason", webhookReasons()),
            Entry.tagged("ideogram.provider.accepted", "Other providers' results verified and stored, by provider",
                    "provider", PROVIDERS),
            Entry.tagged("ideogram.provider.duplicate", "Other providers' deliveries already handled, by provider",
                    "provider", PROVIDERS),
            Entry.tagged("ideogram.provider.failed", "Other providers' generations they reported failed, by provider",
                    "provider", PROVIDERS),
            Entry.tagged("ideogram.provider.progress", "Other providers' progress updates recorded, by provider",
                    "provider", PROVIDERS),
            Entry.tagged("ideogram.provider.recorded", "Other providers' events without a result, recorded, by provider",
                    "provider", PROVIDERS),
            Entry.tagged("ideogram.provider.unconfirmed",
                    "Unsigned providers' completions their own API did not confirm (answered 409, nothing stored), by provider",
                    "provider", List.of("imagineapi", "runblob")),
            Entry.tagged("ideogram.provider.ignored",
                    "Verified deliveries for another account (allowed-user-ids), answered 200 and not stored, by provider",
                    "provider", List.of("ideogram", "fal")),
            Entry.plain("ideogram.archive.archived", "Generations whose images and manifest were archived"),
            Entry.plain("ideogram.archive.failed", "Generations that ended FAILED while archiving"),
            Entry.plain("ideogram.archive.retried", "Archive attempts deferred by a transient failure, retried later"),
            Entry.plain("ideogram.archive.images.refused", "Images deliberately not fetched (unsafe, disallowed host)"),
            Entry.plain("ideogram.archive.variants.stored", "Image variants (web-ready sizes) made and stored"),
            Entry.plain("ideogram.archive.variants.failed",
                    "Image variants that could not be made (source undecodable or too large), recorded FAILED"),
            Entry.tagged("ideogram.submit.outcome", "Sends to Ideogram's generate API, by outcome",
                    "outcome", List.of("sent", "requeued", "failed", "unknown", "unrecorded")),
            Entry.tagged("ideogram.poll.outcome", "Polls of Ideogram for a submitted generation, by outcome",
                    "outcome", List.of("completed", "duplicate", "pending", "failed", "rate_limited", "retry", "unrecorded")),
            Entry.plain("ideogram.campaign.recorded", "Campaigns recorded by POST /campaigns (all their requests queued)"),
            Entry.tagged("ideogram.api.rejected", "Requests to the bundle's own API refused, by reason token",
                    "reason", List.of("unauthorized", "unsupported_media_type", "invalid_json", "unknown_field",
                            "invalid_field", "missing_prompt", "both_prompts", "request_too_large",
                            "invalid_idempotency_key", "idempotency_key_reused", "queue_full", "not_found",
                            "invalid_state", "invalid_limit", "invalid_cursor", "invalid_since", "not_failed", "not_retryable",
                            "links_expired", "poll_window_passed", "not_archived", "store_unavailable", "internal_error",
                            // POST /campaigns
                            "missing_field", "too_many_requests", "unknown_placeholder", "reserved_metadata_key",
                            "duplicate_product", "duplicate_format", "unknown_aspect_ratio")));

    /* The event meters' destination tag: bounded by what is configured (see eventDestinationTags). */
    private final EventDestinations eventDestinations = new EventDestinations();

    private volatile boolean bound;

    /** events.destinations: each endpoint's name is a value of the event meters' destination tag. */
    public void setEventDestinations(String csv) {
        eventDestinations.setDestinations(csv);
    }

    /** events.webhook-urls: each URL's name is a value of the event meters' destination tag. */
    public void setEventWebhookUrls(String csv) {
        eventDestinations.setWebhookUrls(csv);
    }

    /** Registers the catalogue once; called from a timer, as the registry is bound only at context start. */
    public synchronized void bind(Exchange exchange) {
        if (bound) {
            return;
        }
        MeterRegistry registry = MetricsRegistry.of(exchange.getContext());
        if (registry == null) {
            return;
        }
        Tags context = Tags.of(CONTEXT_TAG, exchange.getContext().getName());
        for (Entry entry : COUNTERS) {
            register(registry, context, entry);
        }
        for (Entry entry : eventCounters()) {
            register(registry, context, entry);
        }
        for (String destination : eventDestinationTags()) {
            Timer.builder(EVENT_DELIVERY_TIMER).description("Time of one event delivery attempt, by destination")
                    .tags(context.and(EVENT_DESTINATION_TAG, destination)).register(registry);
        }
        bound = true;
    }

    private static void register(MeterRegistry registry, Tags context, Entry entry) {
        if (entry.tag() == null) {
            Counter.builder(entry.name()).description(entry.description()).tags(context).register(registry);
            return;
        }
        for (String value : entry.values()) {
            Counter.builder(entry.name()).description(entry.description()).tags(context.and(entry.tag(), value))
                    .register(registry);
        }
    }

    static final String EVENT_DELIVERY_TIMER = "ideogram.events.delivery";
    static final String EVENT_DESTINATION_TAG = "destination";

    /** Per destination: the configured names, callback_url (every caller's own), unconfigured (the rest). */
    List<String> eventDestinationTags() {
        List<String> tags = new java.util.ArrayList<>();
        eventDestinations.global().forEach(d -> tags.add(d.name()));
        tags.add(EventDestinations.CALLBACK_URL);
        tags.add(EventDeliveries.UNCONFIGURED);
        return List.copyOf(tags);
    }

    List<Entry> eventCounters() {
        List<String> tags = eventDestinationTags();
        return List.of(
                Entry.tagged("ideogram.events.delivered", "Event deliveries taken by their destination, by destination",
                        EVENT_DESTINATION_TAG, tags),
                Entry.tagged("ideogram.events.retried", "Event delivery attempts that failed and will be retried, by destination",
                        EVENT_DESTINATION_TAG, tags),
                Entry.tagged("ideogram.events.dead", "Event deliveries given up (attempts exhausted, 410, refused), by destination",
                        EVENT_DESTINATION_TAG, tags));
    }

    /** Every rejection token, and the two the error handlers add (store down, a bug). */
    private static List<String> webhookReasons() {
        List<String> reasons = new java.util.ArrayList<>(Arrays.stream(WebhookRejection.values())
                .map(WebhookRejection::reason).toList());
        reasons.add("store_unavailable");
        reasons.add("internal_error");
        return List.copyOf(reasons);
    }
}
