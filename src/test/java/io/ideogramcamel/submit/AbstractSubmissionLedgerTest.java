package io.ideogramcamel.submit;

import io.ideogramcamel.poll.PollLedger;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.ListPage;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.concurrently;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The submission queue and the poll claims, against each real database: the in-flight budget is
 * never overspent (also by two instances at once on PostgreSQL), the queue keeps arrival order, a
 * send is never put back unless it provably did not run, and two pollers never hold one generation.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractSubmissionLedgerTest {

    private static final String REQUEST = "{\"text_prompt\":\"a fox\"}";

    protected TestDatabase db;
    protected GenerationStore store;
    private final List<GenerationStore> stores = new ArrayList<>();

    protected abstract TestDatabase createDatabase() throws Exception;

    /** A second instance's store: its own pool on PostgreSQL, the same store on an H2 file. */
    protected abstract GenerationStore anotherInstance();

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = startStore();
        store.find("schema");
    }

    @AfterEach
    void tearDown() throws Exception {
        stores.forEach(GenerationStore::stop);
        db.close();
    }

    protected GenerationStore startStore() {
        GenerationStore s = newStore(db.jdbcUrl(), db.username());
        stores.add(s);
        s.start();
        return s;
    }

    static SubmissionLedger ledger(GenerationStore store, int budget) {
        SubmissionLedger ledger = new SubmissionLedger();
        ledger.setStore(store);
        ledger.setMaxInflightImages(budget);
        ledger.setPollAfterSeconds(0);
        // these tests act as the dispatcher on rows they just queued
        ledger.setCallerFirstMillis(0);
        return ledger;
    }

    static PollLedger pollLedger(GenerationStore store, String instanceId) {
        PollLedger ledger = new PollLedger();
        ledger.setStore(store);
        ledger.setInstanceId(instanceId);
        ledger.setRetryInitialDelaySeconds(60);
        return ledger;
    }

    private Submission queue(SubmissionLedger ledger, int images) {
        return ledger.enqueue(null, REQUEST, images).submission();
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstRowAndRecordsNothing() {
        SubmissionLedger ledger = ledger(store, 10);
        SubmissionLedger.Enqueued first = ledger.enqueue("key-1", REQUEST, 1);
        SubmissionLedger.Enqueued again = ledger.enqueue("key-1", "{\"text_prompt\":\"other\"}", 2);

        assertThat(first.repeated()).isFalse();
        assertThat(again.repeated()).isTrue();
        assertThat(again.submission().queuedId()).isEqualTo(first.submission().queuedId());
        assertThat(again.submission().request()).isEqualTo(REQUEST);
        assertThat(ledger.list(SubmissionState.QUEUED, 10, ListPage.FIRST)).hasSize(1);
    }

    @Test
    void theHeadIsSentFirstAndNothingOverTheBudgetIsClaimed() {
        SubmissionLedger ledger = ledger(store, 5);
        Submission a = queue(ledger, 3);
        Submission b = queue(ledger, 3);

        // b is not first in line: the caller's own request waits behind a
        assertThat(ledger.claimHead(b.queuedId())).isNull();
        SendClaim claimA = ledger.claimHead(a.queuedId());
        assertThat(claimA).isNotNull();
        assertThat(ledger.inflightImages()).isEqualTo(3);
        // 3 + 3 > 5: b waits until a is no longer in flight
        assertThat(ledger.claimHead(null)).isNull();

        assertThat(ledger.recordSent(claimA, "gen-a")).isTrue();
        assertThat(store.find("gen-a").orElseThrow().state()).isEqualTo(GenerationState.SUBMITTED);
        assertThat(store.find("gen-a").orElseThrow().queuedId()).isEqualTo(a.queuedId());
        assertThat(ledger.claimHead(null)).isNull();

        // the webhook for a arrives: its places are free again
        assertThat(store.acceptReceived("gen-a", "webhook", null, IMAGES)).isTrue();
        assertThat(ledger.inflightImages()).isZero();
        SendClaim claimB = ledger.claimHead(null);
        assertThat(claimB).isNotNull();
        assertThat(claimB.queuedId()).isEqualTo(b.queuedId());
    }

    @Test
    void aRateLimitedSendKeepsItsPlaceAtTheHeadUntilRetryAfterHasPassed() {
        SubmissionLedger ledger = ledger(store, 10);
        Submission a = queue(ledger, 1);
        Submission b = queue(ledger, 1);
        SendClaim claim = ledger.claimHead(null);
        assertThat(claim.queuedId()).isEqualTo(a.queuedId());

        assertThat(ledger.requeue(claim, 3600, "rate_limited")).isTrue();

        // neither a (not due) nor b (behind a) may go: the order holds and Ideogram gets its pause
        assertThat(ledger.claimHead(null)).isNull();
        assertThat(ledger.claimHead(b.queuedId())).isNull();
        Submission back = ledger.find(a.queuedId()).orElseThrow();
        assertThat(back.state()).isEqualTo(SubmissionState.QUEUED);
        assertThat(back.error()).isEqualTo("rate_limited");
        assertThat(ledger.inflightImages()).isZero();
    }

    @Test
    void anUnknownOutcomeIsNeverClaimedAgainAndHoldsItsPlacesForAWhile() {
        SubmissionLedger ledger = ledger(store, 2);
        queue(ledger, 2);
        SendClaim claim = ledger.claimHead(null);
        assertThat(ledger.recordUnknown(claim, "submit_outcome_unknown")).isTrue();
        queue(ledger, 1);

        assertThat(ledger.inflightImages()).isEqualTo(2);
        assertThat(ledger.claimHead(null)).isNull();

        SubmissionLedger forgetful = ledger(store, 2);
        forgetful.setUnknownHoldsBudgetSeconds(0);
        SendClaim next = forgetful.claimHead(null);
        assertThat(next).isNotNull();
        assertThat(next.queuedId()).isNotEqualTo(claim.queuedId());
        assertThat(ledger.find(claim.queuedId()).orElseThrow().state()).isEqualTo(SubmissionState.UNKNOWN);
    }

    @Test
    void aSenderThatDiedMidCallLeavesUnknownNotQueued() throws Exception {
        SubmissionLedger ledger = ledger(store, 10);
        ledger.setSendLeaseSeconds(1);
        Submission a = queue(ledger, 1);
        SendClaim claim = ledger.claimHead(null);
        assertThat(claim).isNotNull();
        Thread.sleep(1100);

        assertThat(ledger.giveUpInterruptedSends()).isEqualTo(1);
        Submission row = ledger.find(a.queuedId()).orElseThrow();
        assertThat(row.state()).isEqualTo(SubmissionState.UNKNOWN);
        assertThat(row.error()).isEqualTo(SubmissionLedger.SEND_INTERRUPTED);
        assertThat(ledger.claimHead(null)).isNull();

        // Ideogram's answer came after all: it is recorded, the generation is not lost
        assertThat(ledger.recordSent(claim, "gen-late")).isTrue();
        assertThat(ledger.find(a.queuedId()).orElseThrow().state()).isEqualTo(SubmissionState.SENT);
        assertThat(store.find("gen-late").orElseThrow().state()).isEqualTo(GenerationState.SUBMITTED);
    }

    @Test
    void aRestartedInstanceEndsItsInterruptedSendsUnknownAtOnceAndNeverResendsThem() {
        SubmissionLedger beforeCrash = ledger(store, 10);
        beforeCrash.setInstanceId("pod-a");
        Submission a = queue(beforeCrash, 1);
        SendClaim claim = beforeCrash.claimHead(null);
        assertThat(claim).isNotNull();

        // another instance leaves it: the send lease (120 s) is live
        SubmissionLedger other = ledger(anotherInstance(), 10);
        other.setInstanceId("pod-b");
        assertThat(other.giveUpInterruptedSends()).isZero();
        assertThat(other.find(a.queuedId()).orElseThrow().state()).isEqualTo(SubmissionState.SENDING);

        // the same instance, restarted, gives it up at once, the way a lapsed lease ends
        SubmissionLedger restarted = ledger(store, 10);
        restarted.setInstanceId("pod-a");
        assertThat(restarted.giveUpInterruptedSends()).isEqualTo(1);
        Submission row = restarted.find(a.queuedId()).orElseThrow();
        assertThat(row.state()).isEqualTo(SubmissionState.UNKNOWN);
        assertThat(row.error()).isEqualTo(SubmissionLedger.SEND_INTERRUPTED);
        assertThat(restarted.claimHead(null)).as("never resent").isNull();
        assertThat(restarted.inflightImages()).as("it may be running at Ideogram").isEqualTo(1);

        // its own new send is not given up by a later sweep
        queue(restarted, 1);
        SendClaim live = restarted.claimHead(null);
        assertThat(live).isNotNull();
        assertThat(restarted.giveUpInterruptedSends()).isZero();
        assertThat(restarted.find(live.queuedId()).orElseThrow().state()).isEqualTo(SubmissionState.SENDING);
    }

    @Test
    void aRestartedInstanceReleasesItsPollClaimsAtOnce() {
        SubmissionLedger ledger = ledger(store, 10);
        queue(ledger, 1);
        ledger.recordSent(ledger.claimHead(null), "gen-poll-crash");
        PollLedger beforeCrash = pollLedger(store, "pod-a");
        String lease = beforeCrash.claimForPoll("gen-poll-crash");
        assertThat(lease).isNotNull();
        assertThat(pollLedger(anotherInstance(), "pod-b").findDueForPoll(10)).isEmpty();

        PollLedger restarted = pollLedger(store, "pod-a");
        assertThat(restarted.findDueForPoll(10)).containsExactly("gen-poll-crash");
        assertThat(restarted.claimForPoll("gen-poll-crash")).isNotNull();
        assertThat(beforeCrash.pollLater("gen-poll-crash", lease, -1, "pending")).isFalse();
    }

    @Test
    void aWebhookFasterThanTheSendersBookkeepingKeepsItsRowAndGetsLinked() {
        SubmissionLedger ledger = ledger(store, 10);
        Submission a = queue(ledger, 1);
        SendClaim claim = ledger.claimHead(null);
        assertThat(store.acceptReceived("gen-fast", "webhook", null, IMAGES)).isTrue();

        assertThat(ledger.recordSent(claim, "gen-fast")).isTrue();

        GenerationRecord row = store.find("gen-fast").orElseThrow();
        assertThat(row.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(row.queuedId()).isEqualTo(a.queuedId());
        assertThat(ledger.inflightImages()).isZero();
    }

    @Test
    void twoInstancesClaimingAtOnceNeverSpendMoreThanTheBudget() throws Exception {
        SubmissionLedger one = ledger(store, 4);
        SubmissionLedger two = ledger(anotherInstance(), 4);
        for (int i = 0; i < 12; i++) {
            queue(one, 1);
        }

        List<SendClaim> claims = concurrently(8, i -> (i % 2 == 0 ? one : two).claimHead(null));

        assertThat(claims.stream().filter(Objects::nonNull)).hasSize(4);
        assertThat(claims.stream().filter(Objects::nonNull).map(SendClaim::queuedId).distinct()).hasSize(4);
        assertThat(one.inflightImages()).isEqualTo(4);
    }

    @Test
    void aRequestLargerThanTheBudgetFailsInsteadOfBlockingTheQueue() {
        SubmissionLedger generous = ledger(store, 8);
        Submission big = queue(generous, 8);
        Submission small = queue(generous, 1);

        SubmissionLedger lowered = ledger(store, 4);
        assertThat(lowered.claimHead(null)).isNull();
        assertThat(lowered.find(big.queuedId()).orElseThrow().state()).isEqualTo(SubmissionState.FAILED);
        assertThat(lowered.claimHead(null).queuedId()).isEqualTo(small.queuedId());
    }

    @Test
    void twoPollersNeverHoldOneGenerationAndAFailureIsRecordedOnce() throws Exception {
        SubmissionLedger ledger = ledger(store, 10);
        queue(ledger, 1);
        ledger.recordSent(ledger.claimHead(null), "gen-poll");
        PollLedger one = pollLedger(store, "one");
        PollLedger two = pollLedger(anotherInstance(), "two");

        assertThat(one.findDueForPoll(10)).containsExactly("gen-poll");
        List<String> leases = concurrently(6, i -> (i % 2 == 0 ? one : two).claimForPoll("gen-poll"));
        List<String> won = leases.stream().filter(Objects::nonNull).toList();
        assertThat(won).hasSize(1);
        assertThat(one.findDueForPoll(10)).isEmpty();

        PollLedger winner = won.get(0).startsWith("one") ? one : two;
        assertThat(winner.pollLater("gen-poll", won.get(0), -1, "pending")).isTrue();
        GenerationRecord pending = store.find("gen-poll").orElseThrow();
        assertThat(pending.state()).isEqualTo(GenerationState.SUBMITTED);
        assertThat(pending.nextAttemptAt()).isGreaterThan(System.currentTimeMillis() + 50_000);
        assertThat(one.claimForPoll("gen-poll")).isNull();
        // the stale lease may not fail it any more
        assertThat(winner.markFailed("gen-poll", won.get(0), "ideogram_failed")).isFalse();
    }

    @Test
    void aSubmissionNeverCompletedWithinTheExpiryFailsAsExpired() {
        SubmissionLedger ledger = ledger(store, 10);
        queue(ledger, 1);
        ledger.recordSent(ledger.claimHead(null), "gen-old");
        PollLedger poller = pollLedger(store, "one");
        poller.setExpireAfterHours(1);
        // an hour and a bit ago, by the row's own clock
        store.find("gen-old");
        try (var c = store.connection(); var ps = c.prepareStatement(
                "UPDATE generation SET submitted_at = ? WHERE generation_id = 'gen-old'")) {
            ps.setLong(1, System.currentTimeMillis() - 3_700_000L);
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }

        assertThat(poller.claimForPoll("gen-old")).isNull();
        GenerationRecord row = store.find("gen-old").orElseThrow();
        assertThat(row.state()).isEqualTo(GenerationState.FAILED);
        assertThat(row.error()).isEqualTo(PollLedger.EXPIRED);
        assertThat(ledger.inflightImages()).isZero();

        // its webhook after all: billed, and its images still there, so it is taken, not dropped
        assertThat(store.acceptReceived("gen-old", "webhook", null, IMAGES)).isTrue();
        assertThat(store.find("gen-old").orElseThrow().state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(store.acceptReceived("gen-old", "webhook", null, IMAGES)).isFalse();
    }

    @Test
    void aNewRequestIsLeftToItsOwnCallerBeforeADispatcherMayTakeIt() throws Exception {
        SubmissionLedger ledger = ledger(store, 2);
        ledger.setCallerFirstMillis(1000);
        Submission a = queue(ledger, 1);

        assertThat(ledger.claimHead(null)).as("the dispatcher, at once").isNull();
        SendClaim claimA = ledger.claimHead(a.queuedId());
        assertThat(claimA).as("its caller").isNotNull();

        Submission b = queue(ledger, 1);
        Thread.sleep(1100);
        // a caller that never came back (it crashed): the dispatcher sends it
        SendClaim claimB = ledger.claimHead(null);
        assertThat(claimB.queuedId()).isEqualTo(b.queuedId());

        // a caller that found no room answers "queued" and hands its request over at once
        ledger.setCallerFirstMillis(60_000);
        Submission c = queue(ledger, 1);
        assertThat(ledger.claimHead(c.queuedId())).as("no room: a and b are in flight").isNull();
        ledger.leaveToDispatcher(c.queuedId());
        assertThat(ledger.recordSent(claimA, "gen-a")).isTrue();
        assertThat(store.acceptReceived("gen-a", "webhook", null, IMAGES)).isTrue();
        assertThat(ledger.claimHead(null).queuedId()).isEqualTo(c.queuedId());
    }

    @Test
    void aRetryAfterOfZeroStillWaitsASecondSoTheDispatcherCannotSpin() throws Exception {
        SubmissionLedger ledger = ledger(store, 10);
        queue(ledger, 1);
        SendClaim claim = ledger.claimHead(null);

        assertThat(ledger.requeue(claim, 0, "rate_limited")).isTrue();

        assertThat(ledger.claimHead(null)).isNull();
        Thread.sleep(1100);
        assertThat(ledger.claimHead(null)).isNotNull();
    }
}
