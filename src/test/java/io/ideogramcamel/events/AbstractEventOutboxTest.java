package io.ideogramcamel.events;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.archive.ArchiveClaim;
import io.ideogramcamel.archive.ArchiveLedger;
import io.ideogramcamel.poll.PollLedger;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.StoreUnavailableException;
import io.ideogramcamel.submit.SendClaim;
import io.ideogramcamel.submit.SubmissionLedger;
import io.ideogramcamel.submit.SubmissionState;
import io.ideogramcamel.webhook.ProviderLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transactional outbox against each real database (the subclasses): every transition that ends
 * a generation or a submission writes exactly one event, with one PENDING delivery per global
 * destination and one for the submission's callback_url; a transition that does not happen writes
 * none; and when the event cannot be written, the transition does not happen either.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractEventOutboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REQUEST = "{\"text_prompt\":\"a fox\"}";
    private static final String METADATA = "{\"order\":\"A-17\",\"team\":\"blue\"}";
    private static final String CALLBACK = "https://hooks.example.com/ideogram?token=t0k";
    /* a password and a token: the stored names must carry neither */
    private static final String DESTINATIONS = "log:events,amqp:queue:events?password=s3cret";
    private static final String WEBHOOKS = "https://receiver.example.com/in?sig=abc";

    protected TestDatabase db;
    private GenerationStore store;
    private EventOutbox outbox;
    private ArchiveLedger archive;
    private PollLedger poll;
    private ProviderLedger providers;
    private SubmissionLedger submissions;

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = newStore(db.jdbcUrl(), db.username());
        store.start();
        store.find("schema");
        EventDestinations destinations = new EventDestinations();
        destinations.setDestinations(DESTINATIONS);
        destinations.setWebhookUrls(WEBHOOKS);
        outbox = new EventOutbox();
        outbox.setDestinations(destinations);
        archive = new ArchiveLedger();
        archive.setStore(store);
        archive.setOutbox(outbox);
        poll = new PollLedger();
        poll.setStore(store);
        poll.setOutbox(outbox);
        providers = new ProviderLedger();
        providers.setStore(store);
        providers.setOutbox(outbox);
        submissions = new SubmissionLedger();
        submissions.setStore(store);
        submissions.setOutbox(outbox);
        submissions.setPollAfterSeconds(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        store.stop();
        db.close();
    }

    @Test
    void archivingAWebhookGenerationWritesOneCompletedEventWithTheManifestsImagesAndEmptyMetadata() throws Exception {
        accept("gen-a");
        ArchiveClaim claim = archive.claimForArchive("gen-a");
        ObjectNode manifest = manifest();

        assertThat(archive.markArchived("gen-a", claim.leaseOwner(), "generations/gen-a/manifest.json", manifest))
                .isTrue();

        List<Event> events = events();
        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.type).isEqualTo("generation.completed");
        assertThat(e.generationId).isEqualTo("gen-a");
        assertThat(e.queuedId).isNull();
        assertThat(e.envelope.get("id").asText()).isEqualTo(e.id).matches("evt_[0-9A-HJKMNP-TV-Z]{26}");
        assertThat(e.envelope.get("type").asText()).isEqualTo("generation.completed");
        assertThat(e.envelope.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        JsonNode data = e.envelope.get("data");
        assertThat(data.get("generation_id").asText()).isEqualTo("gen-a");
        assertThat(data.has("queued_id")).isFalse();
        assertThat(data.get("provider").asText()).isEqualTo("ideogram");
        assertThat(data.get("source").asText()).isEqualTo("webhook");
        assertThat(data.get("state").asText()).isEqualTo("archived");
        assertThat(data.get("manifest_key").asText()).isEqualTo("generations/gen-a/manifest.json");
        assertThat(data.get("images")).isEqualTo(manifest.get("images"));
        assertThat(data.get("metadata")).isEqualTo(JSON.createObjectNode());
        assertThat(data.get("created").asText()).isEqualTo("2025-06-01T10:00:00+00:00");
        assertThat(data.get("archived_at").asText()).endsWith("Z");
        // stored compact, exactly as it will be sent
        assertThat(e.raw).doesNotContain("\n").isEqualTo(JSON.writeValueAsString(e.envelope));
        assertThat(deliveries(e.id)).containsExactly(
                "log:events|ENDPOINT|PENDING|0|due",
                EventDestinations.endpointName("amqp:queue:events?password=s3cret") + "|ENDPOINT|PENDING|0|due",
                EventDestinations.webhookName(WEBHOOKS) + "|CALLBACK|PENDING|0|due");
        assertThat(deliveries(e.id)).noneMatch(d -> d.contains("s3cret") || d.contains("sig=abc") || d.contains("/in"));
    }

    @Test
    void aSubmissionsMetadataAndCallbackTravelWithItsCompletedEvent() throws Exception {
        String queuedId = sent("gen-s", CALLBACK, METADATA);
        assertThat(store.acceptReceived("gen-s", "webhook", "2025-06-01T10:00:00+00:00", IMAGES)).isTrue();
        ArchiveClaim claim = archive.claimForArchive("gen-s");
        assertThat(claim.metadata()).isEqualTo(METADATA);

        assertThat(archive.markArchived("gen-s", claim.leaseOwner(), "generations/gen-s/manifest.json", manifest()))
                .isTrue();

        Event e = single();
        assertThat(e.queuedId).isEqualTo(queuedId);
        assertThat(e.envelope.at("/data/queued_id").asText()).isEqualTo(queuedId);
        assertThat(e.envelope.at("/data/metadata")).isEqualTo(JSON.readTree(METADATA));
        assertThat(deliveries(e.id)).hasSize(4).endsWith("callback_url|CALLBACK|PENDING|0|due");
        // the callback's URL (and its token) stays with the submission, never in the delivery row
        assertThat(String.join(" ", deliveries(e.id))).doesNotContain("t0k").doesNotContain("s3cret");
    }

    @Test
    void anArchiveThatDoesNotHappenWritesNoEvent() throws Exception {
        accept("gen-b");
        ArchiveClaim claim = archive.claimForArchive("gen-b");

        assertThat(archive.markArchived("gen-b", "someone-else:1", "k", manifest())).isFalse();
        assertThat(archive.markFailed("gen-b", "someone-else:1", "image_http_404")).isFalse();
        assertThat(events()).isEmpty();

        assertThat(archive.markFailed("gen-b", claim.leaseOwner(), "image_http_404")).isTrue();
        assertThat(archive.markArchived("gen-b", claim.leaseOwner(), "k", manifest())).isFalse();
        Event e = single();
        assertThat(e.type).isEqualTo("generation.failed");
        JsonNode data = e.envelope.get("data");
        assertThat(data.get("generation_id").asText()).isEqualTo("gen-b");
        assertThat(data.get("provider").asText()).isEqualTo("ideogram");
        assertThat(data.get("error").asText()).isEqualTo("image_http_404");
        assertThat(data.get("metadata")).isEqualTo(JSON.createObjectNode());
        assertThat(deliveries(e.id)).hasSize(3);
    }

    @Test
    void linksThatExpiredBeforeTheArchiveWriteOneFailedEvent() throws Exception {
        accept("gen-old");
        db.execute("UPDATE generation SET received_at = 0 WHERE generation_id = 'gen-old'");

        assertThat(archive.claimForArchive("gen-old")).isNull();
        assertThat(archive.claimForArchive("gen-old")).isNull();

        assertThat(store.find("gen-old").orElseThrow().state()).isEqualTo(GenerationState.FAILED);
        Event e = single();
        assertThat(e.type).isEqualTo("generation.failed");
        assertThat(e.envelope.at("/data/error").asText()).isEqualTo("links_expired");
    }

    @Test
    void aPollFailureAndAPollExpiryWriteOneFailedEventEachWithTheSubmissionsFields() throws Exception {
        String queuedId = sent("gen-p", CALLBACK, METADATA);
        String lease = poll.claimForPoll("gen-p");
        assertThat(lease).isNotNull();

        assertThat(poll.markFailed("gen-p", "someone-else:1", "ideogram_failed")).isFalse();
        assertThat(events()).isEmpty();
        assertThat(poll.markFailed("gen-p", lease, "ideogram_failed")).isTrue();
        assertThat(poll.markFailed("gen-p", lease, "ideogram_failed")).isFalse();

        Event failed = single();
        JsonNode data = failed.envelope.get("data");
        assertThat(data.get("generation_id").asText()).isEqualTo("gen-p");
        assertThat(data.get("queued_id").asText()).isEqualTo(queuedId);
        assertThat(data.get("error").asText()).isEqualTo("ideogram_failed");
        assertThat(data.get("metadata")).isEqualTo(JSON.readTree(METADATA));
        assertThat(deliveries(failed.id)).hasSize(4).contains("callback_url|CALLBACK|PENDING|0|due");

        sent("gen-q", null, null);
        db.execute("UPDATE generation SET submitted_at = 0 WHERE generation_id = 'gen-q'");
        assertThat(poll.claimForPoll("gen-q")).isNull();
        assertThat(poll.claimForPoll("gen-q")).isNull();
        List<Event> events = events();
        assertThat(events).hasSize(2);
        Event expired = events.stream().filter(x -> "gen-q".equals(x.generationId)).findFirst().orElseThrow();
        assertThat(expired.envelope.at("/data/error").asText()).isEqualTo("expired");
        assertThat(expired.envelope.at("/data/metadata")).isEqualTo(JSON.createObjectNode());
        assertThat(deliveries(expired.id)).hasSize(3).doesNotContain("callback_url|CALLBACK|PENDING|0|due");
    }

    @Test
    void aLateResultAfterAnExpiryIsAFailedEventThenACompletedOne() throws Exception {
        sent("gen-late", null, METADATA);
        db.execute("UPDATE generation SET submitted_at = 0 WHERE generation_id = 'gen-late'");
        assertThat(poll.claimForPoll("gen-late")).isNull();

        assertThat(store.acceptReceived("gen-late", "webhook", null, IMAGES)).isTrue();
        ArchiveClaim claim = archive.claimForArchive("gen-late");
        assertThat(archive.markArchived("gen-late", claim.leaseOwner(), "k", manifest())).isTrue();

        assertThat(events()).extracting(x -> x.type).containsExactly("generation.failed", "generation.completed");
    }

    @Test
    void aProviderFailureIsOneFailedEventAndARepeatAddsNone() throws Exception {
        assertThat(providers.recordFailed("fal/req-1", "webhook", "provider_failed")).isTrue();
        assertThat(providers.recordFailed("fal/req-1", "webhook", "provider_failed")).isFalse();

        Event e = single();
        assertThat(e.generationId).isEqualTo("fal/req-1");
        JsonNode data = e.envelope.get("data");
        assertThat(data.get("generation_id").asText()).isEqualTo("req-1");
        assertThat(data.get("provider").asText()).isEqualTo("fal");
        assertThat(data.get("error").asText()).isEqualTo("provider_failed");
        assertThat(data.get("metadata")).isEqualTo(JSON.createObjectNode());
    }

    @Test
    void aSubmissionIdeogramRefusedIsAFailedEventWithoutAGenerationAndAnUnknownOneIsNone() throws Exception {
        SendClaim refused = claimed(submissions.enqueue(null, REQUEST, 1, CALLBACK, METADATA).submission().queuedId());
        assertThat(submissions.recordFailed(refused, "prompt_rejected")).isTrue();
        assertThat(submissions.recordFailed(refused, "prompt_rejected")).isFalse();

        Event e = single();
        assertThat(e.generationId).isNull();
        assertThat(e.queuedId).isEqualTo(refused.queuedId());
        JsonNode data = e.envelope.get("data");
        assertThat(data.has("generation_id")).isFalse();
        assertThat(data.get("queued_id").asText()).isEqualTo(refused.queuedId());
        assertThat(data.get("provider").asText()).isEqualTo("ideogram");
        assertThat(data.get("error").asText()).isEqualTo("prompt_rejected");
        assertThat(data.get("metadata")).isEqualTo(JSON.readTree(METADATA));
        assertThat(deliveries(e.id)).hasSize(4).contains("callback_url|CALLBACK|PENDING|0|due");

        SendClaim unknown = claimed(submissions.enqueue(null, REQUEST, 1).submission().queuedId());
        assertThat(submissions.recordUnknown(unknown, "submit_outcome_unknown")).isTrue();
        assertThat(events()).hasSize(1);
    }

    @Test
    void aSubmissionThatCanNeverFitTheBudgetFailsWithAnEvent() throws Exception {
        String queuedId = submissions.enqueue(null, REQUEST, 5, null, METADATA).submission().queuedId();
        submissions.setMaxInflightImages(2);

        assertThat(submissions.claimHead(queuedId)).isNull();

        assertThat(submissions.find(queuedId).orElseThrow().state()).isEqualTo(SubmissionState.FAILED);
        Event e = single();
        assertThat(e.envelope.at("/data/error").asText()).isEqualTo(SubmissionLedger.OVER_BUDGET);
        assertThat(e.envelope.at("/data/metadata")).isEqualTo(JSON.readTree(METADATA));
    }

    @Test
    void whenTheEventCannotBeWrittenTheStateChangeIsRolledBackToo() throws Exception {
        accept("gen-x");
        ArchiveClaim claim = archive.claimForArchive("gen-x");
        sent("gen-y", null, null);
        String pollLease = poll.claimForPoll("gen-y");
        SendClaim send = claimed(submissions.enqueue(null, REQUEST, 1).submission().queuedId());
        db.execute("ALTER TABLE event_delivery RENAME TO event_delivery_away");

        assertThatThrownBy(() -> archive.markArchived("gen-x", claim.leaseOwner(), "k", manifest()))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> archive.markFailed("gen-x", claim.leaseOwner(), "image_http_404"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> poll.markFailed("gen-y", pollLease, "ideogram_failed"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> providers.recordFailed("fal/req-2", "webhook", "provider_failed"))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> submissions.recordFailed(send, "prompt_rejected"))
                .isInstanceOf(StoreUnavailableException.class);

        assertThat(store.find("gen-x").orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(store.find("gen-y").orElseThrow().state()).isEqualTo(GenerationState.SUBMITTED);
        assertThat(store.find("fal/req-2")).isEmpty();
        assertThat(submissions.find(send.queuedId()).orElseThrow().state()).isEqualTo(SubmissionState.SENDING);
        assertThat(countOutbox()).isZero();

        // the leases still hold: once the table is back, the same calls go through, with their events
        db.execute("ALTER TABLE event_delivery_away RENAME TO event_delivery");
        assertThat(archive.markArchived("gen-x", claim.leaseOwner(), "k", manifest())).isTrue();
        assertThat(poll.markFailed("gen-y", pollLease, "ideogram_failed")).isTrue();
        assertThat(events()).hasSize(2);
    }

    // --- helpers ---

    private void accept(String id) {
        assertThat(store.acceptReceived(id, "webhook", "2025-06-01T10:00:00+00:00", IMAGES)).isTrue();
    }

    /** A submission sent to Ideogram, its generation SUBMITTED and due for a poll at once. */
    private String sent(String generationId, String callbackUrl, String metadata) {
        String queuedId = submissions.enqueue(null, REQUEST, 1, callbackUrl, metadata).submission().queuedId();
        assertThat(submissions.recordSent(claimed(queuedId), generationId)).isTrue();
        return queuedId;
    }

    private SendClaim claimed(String queuedId) {
        SendClaim claim = submissions.claimHead(queuedId);
        assertThat(claim).isNotNull();
        return claim;
    }

    private static ObjectNode manifest() {
        ObjectNode manifest = JSON.createObjectNode().put("provider", "ideogram").put("source", "webhook")
                .put("created", "2025-06-01T10:00:00+00:00");
        manifest.putObject("metadata");
        manifest.putArray("images").addObject().put("index", 0).put("key", "generations/x/0.png")
                .put("sha256", "a".repeat(64)).put("size", 5).putNull("seed");
        return manifest;
    }

    private record Event(String id, String type, String generationId, String queuedId, String raw,
            JsonNode envelope) {
    }

    private Event single() throws Exception {
        List<Event> events = events();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private List<Event> events() throws Exception {
        List<Event> events = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT event_id, event_type, generation_id, queued_id, "
                        + "envelope FROM event_outbox ORDER BY created_at, event_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                events.add(new Event(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), JSON.readTree(rs.getString(5))));
            }
        }
        return events;
    }

    /** destination|kind|state|attempts|due, in insertion order. */
    private List<String> deliveries(String eventId) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT destination, kind, state, attempts, next_attempt_at "
                        + "FROM event_delivery WHERE event_id = ? ORDER BY delivery_id")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long due = rs.getLong(5);
                    rows.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getInt(4) + "|"
                            + (!rs.wasNull() && due <= System.currentTimeMillis() + 1000 ? "due" : "not-due"));
                }
            }
        }
        return rows;
    }

    private int countOutbox() throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM event_outbox");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
