package io.ideogramcamel.campaign;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.concurrently;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.api.ApiRejectedException;
import io.ideogramcamel.archive.ArchiveClaim;
import io.ideogramcamel.archive.ArchiveLedger;
import io.ideogramcamel.events.EventOutbox;
import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.StoreUnavailableException;
import io.ideogramcamel.submit.GenerateRequestValidator;
import io.ideogramcamel.submit.SendClaim;
import io.ideogramcamel.submit.SubmissionLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Campaigns against each real database (the subclasses): a campaign and its submissions are stored
 * whole or not at all, in order, as plain queued rows; and campaign.completed is written exactly once,
 * by the transaction that ends the last request, also when the last two end at the same moment on
 * two connections (two instances on PostgreSQL).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractCampaignLedgerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    protected TestDatabase db;
    private final List<GenerationStore> stores = new ArrayList<>();
    private GenerationStore store;
    private Instance one;

    protected abstract TestDatabase createDatabase() throws Exception;

    /** Whether a second instance gets a pool of its own (PostgreSQL) or shares the first's (an H2 file). */
    protected abstract boolean separatePools();

    /** The ledgers of one instance, wired as generation-store.camel.yaml wires them. */
    private record Instance(SubmissionLedger submissions, ArchiveLedger archive, CampaignLedger campaigns,
            CampaignSweep sweep) {
    }

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = start();
        one = instance(store);
    }

    @AfterEach
    void tearDown() throws Exception {
        stores.forEach(GenerationStore::stop);
        db.close();
    }

    private GenerationStore start() {
        GenerationStore s = newStore(db.jdbcUrl(), db.username());
        stores.add(s);
        s.start();
        s.find("schema");
        return s;
    }

    private static Instance instance(GenerationStore store) {
        CampaignCompletion completion = new CampaignCompletion();
        completion.setStore(store);
        EventOutbox outbox = new EventOutbox();
        outbox.setEndings(completion);
        SubmissionLedger submissions = new SubmissionLedger();
        submissions.setStore(store);
        submissions.setOutbox(outbox);
        submissions.setPollAfterSeconds(0);
        ArchiveLedger archive = new ArchiveLedger();
        archive.setStore(store);
        archive.setOutbox(outbox);
        CampaignLedger campaigns = new CampaignLedger();
        campaigns.setStore(store);
        campaigns.setSubmissions(submissions);
        CampaignSweep sweep = new CampaignSweep();
        sweep.setStore(store);
        sweep.setCompletion(completion);
        sweep.setOutbox(outbox);
        return new Instance(submissions, archive, campaigns, sweep);
    }

    private static CampaignPlan plan(String body) throws Exception {
        return new CampaignRequestReader().plan((ObjectNode) JSON.readTree(body));
    }

    private static CampaignPlan plan(int products, int formats) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("name", "Launch");
        for (int p = 0; p < products; p++) {
            body.withArray("products").add("product " + p);
        }
        for (int f = 0; f < formats; f++) {
            body.withArray("formats").addObject().put("name", "format" + f).put("resolution", "1024x1024");
        }
        body.putObject("metadata").put("team", "blue");
        return plan(body.toString());
    }

    @Test
    void aCampaignQueuesOnePlainSubmissionPerProductAndFormatInOrder() throws Exception {
        CampaignPlan plan = plan(2, 2);

        Campaign campaign = one.campaigns.create(null, plan);

        assertThat(campaign.campaignId()).isEqualTo(plan.campaignId()).startsWith("c");
        assertThat(campaign.requestCount()).isEqualTo(4);
        List<CampaignRequest> requests = one.campaigns.requests(campaign.campaignId());
        assertThat(requests).extracting(r -> r.product() + "/" + r.format()).containsExactly(
                "product 0/format0", "product 0/format1", "product 1/format0", "product 1/format1");
        assertThat(requests).allMatch(r -> r.state().equals("queued") && r.generationId() == null);
        // arrival order is the campaign's order; nobody waits on them, so the dispatcher may take them at once
        assertThat(column("SELECT s.queued_id FROM submission s ORDER BY s.arrival"))
                .containsExactlyElementsOf(requests.stream().map(CampaignRequest::queuedId).toList());
        assertThat(column("SELECT caller_waiting FROM submission")).containsOnly("FALSE");
        JsonNode metadata = JSON.readTree(one.submissions.find(requests.get(1).queuedId()).orElseThrow().metadata());
        assertThat(metadata).isEqualTo(JSON.readTree("{\"campaign\":\"Launch\",\"campaign_id\":\""
                + campaign.campaignId() + "\",\"product\":\"product 0\",\"format\":\"format1\",\"team\":\"blue\"}"));
        assertThat(one.submissions.find(requests.get(1).queuedId()).orElseThrow().request())
                .isEqualTo("{\"resolution\":\"1024x1024\",\"text_prompt\":\"product 0, professional format1 design, high quality\"}");
        assertThat(one.campaigns.find(campaign.campaignId()).orElseThrow().completedAt()).isNull();
    }

    @Test
    void aRepeatedIdempotencyKeyStoresNothingMoreAndFindsTheFirstCampaign() throws Exception {
        Campaign first = one.campaigns.create("key-1", plan(1, 2));

        Campaign again = one.campaigns.create("key-1", plan(1, 2));

        assertThat(again.campaignId()).isEqualTo(first.campaignId());
        assertThat(again.requestSha256()).isEqualTo(first.requestSha256());
        assertThat(one.campaigns.findByIdempotencyKey("key-1")).contains(again);
        assertThat(column("SELECT queued_id FROM submission")).hasSize(2);
        assertThat(column("SELECT campaign_id FROM campaign")).containsExactly(first.campaignId());
    }

    @Test
    void theListIsNewestFirstAndBounded() throws Exception {
        Campaign older = one.campaigns.create(null, plan(1, 1));
        Campaign newer = one.campaigns.create(null, plan(1, 1));
        db.execute("UPDATE campaign SET created_at = 1000 WHERE campaign_id = '" + older.campaignId() + "'");
        db.execute("UPDATE campaign SET created_at = 2000 WHERE campaign_id = '" + newer.campaignId() + "'");

        assertThat(one.campaigns.list(10)).extracting(Campaign::campaignId)
                .containsExactly(newer.campaignId(), older.campaignId());
        assertThat(one.campaigns.list(1)).extracting(Campaign::campaignId).containsExactly(newer.campaignId());
    }

    @Test
    void aRequestTheStoreRefusesLeavesNeitherTheCampaignNorAnyOfItsSubmissions() throws Exception {
        // a product longer than its column (201 characters; the reader stops at 200): the last insert fails
        CampaignPlan valid = plan(1, 3);
        List<CampaignPlan.Planned> requests = new ArrayList<>(valid.requests());
        CampaignPlan.Planned last = requests.remove(2);
        requests.add(new CampaignPlan.Planned("p".repeat(201), last.format(), last.checked()));
        CampaignPlan broken = new CampaignPlan(valid.campaignId(), valid.name(), valid.metadata(), valid.callbackUrl(),
                valid.requestSha256(), requests);

        assertThatThrownBy(() -> one.campaigns.create(null, broken)).isInstanceOf(StoreUnavailableException.class);

        assertThat(column("SELECT campaign_id FROM campaign")).isEmpty();
        assertThat(column("SELECT queued_id FROM submission")).isEmpty();
    }

    @Test
    void theEndOfTheLastRequestWritesOneCompletedEventWithCountsAndTheFailedOnes() throws Exception {
        Campaign campaign = one.campaigns.create(null, plan(1, 3));
        List<SendClaim> claims = claimAll(one, 3);

        archived(one, claims.get(0), "gen-c0");
        assertThat(one.submissions.recordFailed(claims.get(1), "prompt_rejected")).isTrue();
        assertThat(completedEvents()).isEmpty();
        assertThat(one.campaigns.find(campaign.campaignId()).orElseThrow().completedAt()).isNull();

        // sent, no answer: never resent, so no image will come of it; it ends the campaign
        assertThat(one.submissions.recordUnknown(claims.get(2), "submit_outcome_unknown")).isTrue();

        List<Event> events = completedEvents();
        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.queuedId).isEqualTo(claims.get(2).queuedId());
        JsonNode data = e.envelope.get("data");
        assertThat(e.envelope.get("type").asText()).isEqualTo("campaign.completed");
        assertThat(data.get("campaign_id").asText()).isEqualTo(campaign.campaignId());
        assertThat(data.get("name").asText()).isEqualTo("Launch");
        assertThat(data.get("requests").asInt()).isEqualTo(3);
        assertThat(data.get("counts")).isEqualTo(JSON.readTree("{\"archived\":1,\"failed\":1,\"unknown\":1}"));
        assertThat(data.get("metadata")).isEqualTo(JSON.readTree("{\"team\":\"blue\"}"));
        assertThat(data.get("failed")).hasSize(2);
        assertThat(data.at("/failed/0/format").asText()).isEqualTo("format1");
        assertThat(data.at("/failed/0/queued_id").asText()).isEqualTo(claims.get(1).queuedId());
        assertThat(data.at("/failed/0/error").asText()).isEqualTo("prompt_rejected");
        assertThat(data.at("/failed/1/state").asText()).isEqualTo("unknown");
        assertThat(data.at("/failed/1/error").asText()).isEqualTo("submit_outcome_unknown");
        assertThat(one.campaigns.find(campaign.campaignId()).orElseThrow().completedAt()).isNotNull();
        // the manifest lists the archived request's stored image
        assertThat(one.campaigns.manifest(campaign.campaignId())).singleElement()
                .satisfies(row -> assertThat(row.values()).containsExactly("product 0", "format0", "gen-c0", 0,
                        "generations/gen-c0/0.png", "image/png", 5L, "a".repeat(64), VariantKeys.none()));
    }

    @Test
    void anEndAfterTheCampaignCompletedWritesNoSecondEvent() throws Exception {
        one.campaigns.create(null, plan(1, 1));
        SendClaim claim = claimAll(one, 1).get(0);
        assertThat(one.submissions.recordSent(claim, "gen-late")).isTrue();
        ArchiveClaim archive = receive(one, "gen-late");
        assertThat(one.archive.markFailed("gen-late", archive.leaseOwner(), "image_http_404")).isTrue();
        assertThat(completedEvents()).hasSize(1);

        // the generation retried (POST /generations/{id}/retry) and failing again: the campaign stays completed
        db.execute("UPDATE generation SET state = 'RECEIVED', lease_owner = NULL, lease_until = NULL "
                + "WHERE generation_id = 'gen-late'");
        ArchiveClaim again = one.archive.claimForArchive("gen-late");
        assertThat(one.archive.markFailed("gen-late", again.leaseOwner(), "image_http_404")).isTrue();

        assertThat(completedEvents()).hasSize(1);
        assertThat(column("SELECT event_type FROM event_outbox ORDER BY created_at"))
                .containsExactly("generation.failed", "campaign.completed", "generation.failed");
    }

    @Test
    void aCampaignWhoseLastSendLapsedInBulkIsCompletedOnceByTheSweep() throws Exception {
        Campaign open = one.campaigns.create(null, plan(1, 1));
        Campaign lapsing = one.campaigns.create(null, plan(1, 2));
        claimAll(one, 3);
        assertThat(one.sweep.completeEnded()).isZero();
        // the sender of the last two died mid-call: given up in one statement, which tells no one
        db.execute("UPDATE submission SET lease_until = 0 WHERE queued_id IN (SELECT queued_id FROM campaign_request "
                + "WHERE campaign_id = '" + lapsing.campaignId() + "')");
        assertThat(one.submissions.giveUpInterruptedSends()).isEqualTo(2);
        assertThat(completedEvents()).isEmpty();

        assertThat(one.sweep.completeEnded()).isEqualTo(1);
        assertThat(one.sweep.completeEnded()).isZero();

        List<Event> events = completedEvents();
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.envelope.at("/data/campaign_id").asText()).isEqualTo(lapsing.campaignId());
            assertThat(e.envelope.at("/data/counts")).isEqualTo(JSON.readTree("{\"unknown\":2}"));
        });
        assertThat(one.campaigns.find(open.campaignId()).orElseThrow().completedAt()).isNull();
    }

    @Test
    void aCampaignTheSweepCannotCompleteDoesNotStopTheOthers() throws Exception {
        Campaign broken = one.campaigns.create(null, plan(1, 1));
        Campaign fine = one.campaigns.create(null, plan(1, 1));
        // the oldest is looked at first; its stored metadata cannot be read, so its completion throws
        db.execute("UPDATE campaign SET created_at = 1000, metadata = 'not json' WHERE campaign_id = '"
                + broken.campaignId() + "'");
        db.execute("UPDATE campaign SET created_at = 2000 WHERE campaign_id = '" + fine.campaignId() + "'");
        claimAll(one, 2);
        db.execute("UPDATE submission SET lease_until = 0");
        assertThat(one.submissions.giveUpInterruptedSends()).isEqualTo(2);

        assertThat(one.sweep.completeEnded()).isEqualTo(1);

        assertThat(completedEvents()).singleElement()
                .satisfies(e -> assertThat(e.envelope.at("/data/campaign_id").asText()).isEqualTo(fine.campaignId()));
        assertThat(one.campaigns.find(broken.campaignId()).orElseThrow().completedAt()).isNull();
    }

    @Test
    void aNulInAProductIsRefusedBeforeTheStoreSeesIt() throws Exception {
        // PostgreSQL refuses a NUL in a text column: it would surface as 503 store_unavailable
        assertThatThrownBy(() -> plan("{\"name\":\"Launch\",\"products\":[\"boot\\u0000\"],"
                + "\"formats\":[{\"name\":\"og\"}]}"))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> {
                    assertThat(e.getStatus()).isEqualTo(400);
                    assertThat(e.getField()).isEqualTo("products[0]");
                });

        assertThat(column("SELECT campaign_id FROM campaign")).isEmpty();
        assertThat(column("SELECT queued_id FROM submission")).isEmpty();
    }

    @Test
    void theLastTwoRequestsEndingAtOnceOnTwoConnectionsWriteOneEvent() throws Exception {
        Instance two = separatePools() ? instance(start()) : one;
        int rounds = 15;
        for (int round = 0; round < rounds; round++) {
            Campaign campaign = one.campaigns.create(null, plan(1, 2));
            List<SendClaim> claims = claimAll(one, 2);
            Instance[] instances = { one, two };

            List<Boolean> ended = concurrently(2, i -> instances[i].submissions.recordFailed(claims.get(i),
                    "prompt_rejected"));

            assertThat(ended).containsOnly(true);
            assertThat(completedEvents()).as("round " + round)
                    .filteredOn(e -> e.envelope.at("/data/campaign_id").asText().equals(campaign.campaignId()))
                    .hasSize(1);
        }
        assertThat(completedEvents()).hasSize(rounds);
    }

    private List<SendClaim> claimAll(Instance instance, int n) {
        List<SendClaim> claims = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SendClaim claim = instance.submissions.claimHead(null);
            assertThat(claim).isNotNull();
            claims.add(claim);
        }
        return claims;
    }

    private ArchiveClaim receive(Instance instance, String generationId) {
        assertThat(store.acceptReceived(generationId, "webhook", "2025-06-01T10:00:00+00:00", IMAGES)).isTrue();
        ArchiveClaim claim = instance.archive.claimForArchive(generationId);
        assertThat(claim).isNotNull();
        return claim;
    }

    private void archived(Instance instance, SendClaim sent, String generationId) {
        assertThat(instance.submissions.recordSent(sent, generationId)).isTrue();
        ArchiveClaim claim = receive(instance, generationId);
        assertThat(instance.archive.recordImage(generationId, claim.leaseOwner(), 0, "generations/" + generationId
                + "/0.png", "image/png", 5, "a".repeat(64))).isTrue();
        ObjectNode manifest = JSON.createObjectNode().put("source", "webhook");
        manifest.putArray("images");
        assertThat(instance.archive.markArchived(generationId, claim.leaseOwner(),
                "generations/" + generationId + "/manifest.json", manifest)).isTrue();
    }

    private record Event(String queuedId, JsonNode envelope) {
    }

    private List<Event> completedEvents() throws Exception {
        List<Event> events = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps = c.prepareStatement("SELECT queued_id, envelope FROM event_outbox "
                        + "WHERE event_type = 'campaign.completed' ORDER BY created_at");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                events.add(new Event(rs.getString(1), JSON.readTree(rs.getString(2))));
            }
        }
        return events;
    }

    private List<String> column(String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1).toUpperCase().equals("TRUE") || rs.getString(1).equalsIgnoreCase("t")
                        ? "TRUE" : rs.getString(1).equalsIgnoreCase("false") || rs.getString(1).equals("f")
                        ? "FALSE" : rs.getString(1));
            }
        }
        return values;
    }
}
