package io.ideogramcamel.archive;

import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.StoreSql;
import io.ideogramcamel.store.StoreUnavailableException;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.await;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.concurrently;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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
 * The archive ledger's contract, run against each real database by the subclasses: an H2 file, and
 * the PostgreSQL at 127.0.0.1:5432 (where "another instance" is a second store with its own pool).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractArchiveLedgerTest {

    static final String SHA_A = "a".repeat(64);
    static final String SHA_B = "b".repeat(64);
    static final String MANIFEST_KEY = "generations/manifest.json";
    static final com.fasterxml.jackson.databind.JsonNode MANIFEST =
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("source", "webhook");

    protected TestDatabase db;
    protected GenerationStore store;
    private final List<GenerationStore> stores = new ArrayList<>();

    protected abstract TestDatabase createDatabase() throws Exception;

    /**
     * A store standing in for a second bundle instance: on PostgreSQL its own pool on the same
     * database; an embedded H2 file belongs to one process, so there it is the same store.
     */
    protected abstract GenerationStore anotherInstance();

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = startStore();
        store.find("schema"); // create the schema before any race on it
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

    static ArchiveLedger ledger(GenerationStore store, String instanceId) {
        ArchiveLedger ledger = new ArchiveLedger();
        ledger.setStore(store);
        ledger.setInstanceId(instanceId);
        return ledger;
    }

    private void accept(String id) {
        assertThat(store.acceptReceived(id, "webhook", "2025-06-01T10:00:00+00:00", IMAGES)).isTrue();
    }

    private GenerationRecord row(String id) {
        return store.find(id).orElseThrow();
    }

    @Test
    void findDueListsDueUnleasedReceivedRowsOnlyOldestFirstWithinTheLimit() throws Exception {
        ArchiveLedger ledger = ledger(store, "w1");
        long now = System.currentTimeMillis();
        for (String id : List.of("due-3", "due-1", "due-2", "later", "leased", "lapsed", "archived", "failed")) {
            accept(id);
        }
        db.execute("UPDATE generation SET next_attempt_at = " + (now - 3000) + " WHERE generation_id = 'due-1'");
        db.execute("UPDATE generation SET next_attempt_at = " + (now - 2000) + " WHERE generation_id = 'due-2'");
        db.execute("UPDATE generation SET next_attempt_at = " + (now - 1000) + " WHERE generation_id = 'due-3'");
        db.execute("UPDATE generation SET next_attempt_at = " + (now - 500) + " WHERE generation_id = 'lapsed'");
        db.execute("UPDATE generation SET next_attempt_at = " + (now + 60_000) + " WHERE generation_id = 'later'");
        db.execute("UPDATE generation SET lease_owner = 'x:1', lease_until = " + (now + 60_000)
                + " WHERE generation_id = 'leased'");
        db.execute("UPDATE generation SET lease_owner = 'x:2', lease_until = " + (now - 1)
                + " WHERE generation_id = 'lapsed'");
        db.execute("UPDATE generation SET state = 'ARCHIVED' WHERE generation_id = 'archived'");
        db.execute("UPDATE generation SET state = 'FAILED' WHERE generation_id = 'failed'");
        db.execute("INSERT INTO generation (generation_id, state, attempts, next_attempt_at, updated_at) "
                + "VALUES ('submitted', 'SUBMITTED', 0, 0, 0)");

        assertThat(ledger.findDueForArchive(10)).containsExactly("due-1", "due-2", "due-3", "lapsed");
        assertThat(ledger.findDueForArchive(2)).containsExactly("due-1", "due-2");
        assertThat(ledger.findDueForArchive(0)).isEmpty();
    }

    @Test
    void aClaimCarriesWhatTheRouteNeedsAndSucceedsOnce() {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-1");
        long before = System.currentTimeMillis();

        ArchiveClaim claim = ledger.claimForArchive("gen-1");

        assertThat(claim).isNotNull();
        assertThat(claim.generationId()).isEqualTo("gen-1");
        assertThat(claim.leaseOwner()).startsWith("w1:");
        assertThat(claim.source()).isEqualTo("webhook");
        assertThat(claim.created()).isEqualTo("2025-06-01T10:00:00+00:00");
        assertThat(claim.images()).isEqualTo(IMAGES);
        assertThat(claim.attempts()).isZero();
        assertThat(claim.recordedIndexes()).isEmpty();
        assertThat(claim.receivedAt()).isEqualTo(row("gen-1").receivedAt());
        assertThat(claim.leaseUntil()).as("the default lease: 30 s on the database clock").isBetween(before + 30_000, System.currentTimeMillis() + 30_000);
        GenerationRecord r = row("gen-1");
        assertThat(r.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(r.leaseOwner()).isEqualTo(claim.leaseOwner());
        assertThat(r.leaseUntil()).isEqualTo(claim.leaseUntil());

        assertThat(ledger.claimForArchive("gen-1")).as("held by a live lease").isNull();
        assertThat(ledger(store, "w2").claimForArchive("gen-1")).isNull();
        assertThat(ledger.findDueForArchive(10)).doesNotContain("gen-1");
        assertThat(ledger.claimForArchive("unknown")).isNull();
    }

    @Test
    void twoInstancesClaimingOneGenerationAtOnceHaveExactlyOneWinner() throws Exception {
        ArchiveLedger a = ledger(store, "instance-a");
        ArchiveLedger b = ledger(anotherInstance(), "instance-b");
        for (int round = 0; round < 5; round++) {
            String id = "gen-race-" + round;
            accept(id);

            List<ArchiveClaim> claims = concurrently(16, i -> (i % 2 == 0 ? a : b).claimForArchive(id));

            List<ArchiveClaim> winners = claims.stream().filter(Objects::nonNull).toList();
            assertThat(winners).as(id).hasSize(1);
            assertThat(row(id).leaseOwner()).isEqualTo(winners.get(0).leaseOwner());
        }
    }

    @Test
    void aLapsedLeaseIsTakenOverAndTheOldOwnerIsRefused() throws Exception {
        ArchiveLedger crashed = ledger(store, "crashed");
        crashed.setLeaseSeconds(1);
        ArchiveLedger survivor = ledger(anotherInstance(), "survivor");
        accept("gen-lapse");
        ArchiveClaim old = crashed.claimForArchive("gen-lapse");
        assertThat(old).isNotNull();
        assertThat(crashed.recordImage("gen-lapse", old.leaseOwner(), 0, "generations/gen-lapse/0.png",
                "image/png", 10, SHA_A)).isTrue();
        assertThat(survivor.claimForArchive("gen-lapse")).isNull();

        ArchiveClaim[] taken = new ArchiveClaim[1];
        await(Duration.ofSeconds(10), () -> (taken[0] = survivor.claimForArchive("gen-lapse")) != null);

        ArchiveClaim claim = taken[0];
        assertThat(claim.recordedIndexes()).containsExactly(0);
        assertThat(crashed.recordImage("gen-lapse", old.leaseOwner(), 1, "generations/gen-lapse/1.png",
                "image/png", 10, SHA_A)).isFalse();
        assertThat(crashed.recordRefusedImage("gen-lapse", old.leaseOwner(), 1, "unsafe_image")).isFalse();
        assertThat(crashed.renewLease("gen-lapse", old.leaseOwner())).isFalse();
        assertThat(crashed.markArchived("gen-lapse", old.leaseOwner(), MANIFEST_KEY, MANIFEST)).isFalse();
        assertThat(crashed.markFailed("gen-lapse", old.leaseOwner(), "image_http_404")).isFalse();
        assertThat(crashed.releaseForRetry("gen-lapse", old.leaseOwner(), "s3_unavailable")).isFalse();
        assertThat(row("gen-lapse").leaseOwner()).isEqualTo(claim.leaseOwner());
        assertThat(crashed.listImages("gen-lapse")).extracting(GenerationImage::index).containsExactly(0);

        assertThat(survivor.recordImage("gen-lapse", claim.leaseOwner(), 1, "generations/gen-lapse/1.png",
                "image/png", 20, SHA_B)).isTrue();
        assertThat(survivor.markArchived("gen-lapse", claim.leaseOwner(), MANIFEST_KEY, MANIFEST)).isTrue();
        assertThat(row("gen-lapse").state()).isEqualTo(GenerationState.ARCHIVED);
    }

    @Test
    void aRestartedInstanceTakesBackAtOnceWhatItsEarlierRunHeldAndNothingElse() throws Exception {
        ArchiveLedger beforeCrash = ledger(store, "pod_a");
        ArchiveLedger lookalike = ledger(anotherInstance(), "podXa");
        ArchiveLedger other = ledger(anotherInstance(), "pod-b");
        for (String id : List.of("gen-held-1", "gen-held-2", "gen-lookalike", "gen-other")) {
            accept(id);
        }
        String held = beforeCrash.claimForArchive("gen-held-1").leaseOwner();
        assertThat(beforeCrash.claimForArchive("gen-held-2")).isNotNull();
        String lookalikeOwner = lookalike.claimForArchive("gen-lookalike").leaseOwner();
        String otherOwner = other.claimForArchive("gen-other").leaseOwner();

        // killed; the new process has the same instance id and a lease of 30 s still to wait out
        ArchiveLedger restarted = ledger(store, "pod_a");
        assertThat(restarted.findDueForArchive(10)).containsExactlyInAnyOrder("gen-held-1", "gen-held-2");
        ArchiveClaim again = restarted.claimForArchive("gen-held-1");
        assertThat(again).isNotNull();
        assertThat(again.leaseOwner()).startsWith("pod_a:").isNotEqualTo(held);
        assertThat(beforeCrash.renewLease("gen-held-1", held)).as("the dead run's token is void").isFalse();

        // the release runs once per run: this run's own claims stay
        assertThat(restarted.findDueForArchive(10)).containsExactly("gen-held-2");
        assertThat(row("gen-held-1").leaseOwner()).isEqualTo(again.leaseOwner());
        // another instance's leases, even one whose id matches "pod_a" as a LIKE pattern, are untouched
        assertThat(row("gen-lookalike").leaseOwner()).isEqualTo(lookalikeOwner);
        assertThat(row("gen-other").leaseOwner()).isEqualTo(otherOwner);
        assertThat(ledger(store, "pod-c").claimForArchive("gen-other")).isNull();
    }

    @Test
    void aBlankInstanceIdIsTheHostNameInTheAllowedCharacters() {
        ArchiveLedger ledger = ledger(store, "x");
        ledger.setInstanceId(" ");
        assertThat(ledger.getInstanceId()).matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
        assertThat(StoreSql.sanitiseInstanceId("web-7f9c.ns.svc/cluster local")).isEqualTo("web-7f9c.ns.svc-cluster-local");
        assertThat(StoreSql.sanitiseInstanceId("-" + "h".repeat(80))).isEqualTo("h".repeat(64));
        assertThatThrownBy(() -> ledger.setInstanceId("a b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBlankInstanceIdOfTwoProcessesOnOneHostDiffersByTheirServerPort() {
        ArchiveLedger first = ledger(store, "x");
        ArchiveLedger second = ledger(store, "y");
        first.setInstanceId("");
        first.setServerPort(8080);
        second.setServerPort(8081);
        second.setInstanceId(" ");

        assertThat(first.getInstanceId()).endsWith("-8080").hasSizeLessThanOrEqualTo(64);
        assertThat(second.getInstanceId()).endsWith("-8081");
        assertThat(first.getInstanceId()).isNotEqualTo(second.getInstanceId());
        // a configured id is taken as it is, whatever the port
        first.setInstanceId("pod-a");
        assertThat(first.getInstanceId()).isEqualTo("pod-a");
    }

    @Test
    void aLeaseIsTimedOnTheDatabaseClockSoASkewedInstanceCannotTakeItEarly() throws Exception {
        ArchiveLedger holder = ledger(store, "holder");
        ArchiveLedger ahead = ledger(anotherInstance(), "ahead");
        ahead.setClock(() -> System.currentTimeMillis() + 3_600_000L);
        accept("gen-skew");
        ArchiveClaim claim = holder.claimForArchive("gen-skew");
        assertThat(claim).isNotNull();

        // an instance whose clock runs an hour ahead sees the 30 s lease as long lapsed, but it is not
        assertThat(ahead.findDueForArchive(10)).doesNotContain("gen-skew");
        assertThat(ahead.claimForArchive("gen-skew")).isNull();
        assertThat(row("gen-skew").leaseOwner()).isEqualTo(claim.leaseOwner());

        // and one whose clock runs an hour behind cannot make a backed-off generation due at once
        ArchiveLedger behind = ledger(store, "holder");
        behind.setClock(() -> System.currentTimeMillis() - 3_600_000L);
        assertThat(behind.renewLease("gen-skew", claim.leaseOwner())).isTrue();
        assertThat(row("gen-skew").leaseUntil()).isGreaterThan(System.currentTimeMillis() + 20_000);
        assertThat(behind.releaseForRetry("gen-skew", claim.leaseOwner(), "s3_unavailable")).isTrue();
        assertThat(row("gen-skew").nextAttemptAt()).isGreaterThan(System.currentTimeMillis() + 1_000);
        assertThat(ahead.claimForArchive("gen-skew")).as("backing off on the database's clock").isNull();
    }

    @Test
    void aGenerationAcceptedByAnInstanceWhoseClockRunsAheadIsStillDueAtOnce() throws Exception {
        long anHourAhead = System.currentTimeMillis() + 3_600_000L;
        try (java.sql.Connection c = store.connection();
                java.sql.PreparedStatement ps = c.prepareStatement(store.dialect().insertReceivedIfAbsent())) {
            ps.setString(1, "gen-ahead");
            ps.setString(2, "webhook");
            ps.setString(3, "2025-06-01T10:00:00+00:00");
            ps.setString(4, IMAGES);
            ps.setLong(5, anHourAhead);
            ps.setLong(6, anHourAhead);
            ps.setLong(7, anHourAhead);
            ps.setNull(8, java.sql.Types.BIGINT);
            if (store.dialect().idRepeatedLast()) {
                ps.setString(9, "gen-ahead");
            }
            assertThat(ps.executeUpdate()).isEqualTo(1);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
        assertThat(row("gen-ahead").nextAttemptAt()).isLessThanOrEqualTo(System.currentTimeMillis());
        ArchiveLedger ledger = ledger(store, "w1");
        assertThat(ledger.findDueForArchive(10)).containsExactly("gen-ahead");
        assertThat(ledger.claimForArchive("gen-ahead")).isNotNull();
    }

    @Test
    void theHeartbeatKeepsAShortLeaseAliveWhileTheWorkRunsAndStopsWhenAsked() throws Exception {
        ArchiveLedger worker = ledger(store, "worker");
        worker.setLeaseSeconds(2);
        ArchiveLedger other = ledger(anotherInstance(), "other");
        accept("gen-beat");
        ArchiveClaim claim = worker.claimForArchive("gen-beat");
        try {
            worker.keepAlive("gen-beat", claim.leaseOwner());

            // no step of the work renews it, and still it outlives its 2 s twice over
            long wait = System.currentTimeMillis() + 4_500;
            await(Duration.ofSeconds(10), () -> System.currentTimeMillis() > wait);
            assertThat(other.claimForArchive("gen-beat")).isNull();
            assertThat(row("gen-beat").leaseUntil()).isGreaterThan(claim.leaseUntil() + 2_000);

            // the work ended without a word (a crash of the route): the lease lapses and moves on
            worker.stopKeepingAlive(claim.leaseOwner());
            ArchiveClaim[] taken = new ArchiveClaim[1];
            await(Duration.ofSeconds(10), () -> (taken[0] = other.claimForArchive("gen-beat")) != null);
            assertThat(worker.renewLease("gen-beat", claim.leaseOwner())).isFalse();
        } finally {
            worker.stop();
        }
    }

    @Test
    void theHeartbeatNoticesALostLeaseAndStopsRenewingIt() throws Exception {
        ArchiveLedger worker = ledger(store, "worker");
        accept("gen-lost");
        ArchiveClaim claim = worker.claimForArchive("gen-lost");
        try {
            worker.keepAlive("gen-lost", claim.leaseOwner());
            worker.renewKeptLeases();
            assertThat(worker.isKeptAlive(claim.leaseOwner())).isTrue();

            db.execute("UPDATE generation SET lease_owner = 'other:r.1' WHERE generation_id = 'gen-lost'");
            worker.renewKeptLeases();

            assertThat(worker.isKeptAlive(claim.leaseOwner())).isFalse();
            assertThat(row("gen-lost").leaseOwner()).isEqualTo("other:r.1");
        } finally {
            worker.stop();
        }
    }

    @Test
    void recordingImagesRenewsTheLease() throws Exception {
        ArchiveLedger worker = ledger(store, "slow");
        worker.setLeaseSeconds(2);
        ArchiveLedger other = ledger(anotherInstance(), "other");
        accept("gen-long");
        ArchiveClaim claim = worker.claimForArchive("gen-long");

        for (int i = 0; i < 3; i++) {
            Thread.sleep(1200);
            assertThat(worker.recordImage("gen-long", claim.leaseOwner(), i, "k/" + i, "image/png", 1, SHA_A)).isTrue();
        }
        Thread.sleep(1200);
        assertThat(worker.renewLease("gen-long", claim.leaseOwner())).isTrue();

        // 4.8 s after a 2 s claim, and never taken over
        assertThat(other.claimForArchive("gen-long")).isNull();
        assertThat(row("gen-long").leaseOwner()).isEqualTo(claim.leaseOwner());
        assertThat(row("gen-long").leaseUntil()).isGreaterThan(System.currentTimeMillis() + 1000);
    }

    @Test
    void recordingIsIdempotentAndAReRunSkipsWhatWasRecorded() throws Exception {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-img");
        ArchiveClaim first = ledger.claimForArchive("gen-img");
        String owner = first.leaseOwner();

        assertThat(ledger.recordImage("gen-img", owner, 0, "generations/gen-img/0.png", "image/png", 1234, SHA_A))
                .isTrue();
        assertThat(ledger.recordImage("gen-img", owner, 0, "generations/gen-img/0.jpg", "image/jpeg", 99,
                SHA_B.toUpperCase())).as("a repeat answers true and changes nothing").isTrue();
        assertThat(ledger.recordRefusedImage("gen-img", owner, 2, "unsafe_image")).isTrue();
        assertThat(ledger.recordRefusedImage("gen-img", owner, 2, "host_not_allowed")).isTrue();
        assertThat(ledger.recordImage("gen-img", owner, 3, "generations/gen-img/3.webp", "image/webp", 5L << 30,
                SHA_B.toUpperCase())).isTrue();

        List<GenerationImage> images = ledger.listImages("gen-img");
        assertThat(images).extracting(GenerationImage::index).containsExactly(0, 2, 3);
        GenerationImage zero = images.get(0);
        assertThat(zero.generationId()).isEqualTo("gen-img");
        assertThat(zero.outcome()).isEqualTo(GenerationImage.STORED);
        assertThat(zero.isStored()).isTrue();
        assertThat(zero.objectKey()).isEqualTo("generations/gen-img/0.png");
        assertThat(zero.contentType()).isEqualTo("image/png");
        assertThat(zero.sizeBytes()).isEqualTo(1234L);
        assertThat(zero.sha256()).isEqualTo(SHA_A);
        assertThat(zero.refusedReason()).isNull();
        assertThat(zero.recordedAt()).isPositive();
        GenerationImage two = images.get(1);
        assertThat(two.isStored()).isFalse();
        assertThat(two.outcome()).isEqualTo(GenerationImage.REFUSED);
        assertThat(two.refusedReason()).isEqualTo("unsafe_image");
        assertThat(two.objectKey()).isNull();
        assertThat(two.sizeBytes()).isNull();
        assertThat(images.get(2).sizeBytes()).isEqualTo(5L << 30);
        assertThat(images.get(2).sha256()).isEqualTo(SHA_B);
        assertThat(ledger.storedKeys("gen-img"))
                .containsExactly("generations/gen-img/0.png", "generations/gen-img/3.webp");

        // the worker gives up (S3 went away); the next attempt sees what is done
        assertThat(ledger.releaseForRetry("gen-img", owner, "s3_unavailable")).isTrue();
        db.execute("UPDATE generation SET next_attempt_at = 0 WHERE generation_id = 'gen-img'");
        ArchiveClaim rerun = ledger.claimForArchive("gen-img");
        assertThat(rerun.leaseOwner()).isNotEqualTo(owner);
        assertThat(rerun.attempts()).isEqualTo(1);
        assertThat(rerun.recordedIndexes()).containsExactly(0, 2, 3);
        assertThat(rerun.isRecorded(0)).isTrue();
        assertThat(rerun.isRecorded(1)).isFalse();
        assertThat(ledger.recordImage("gen-img", owner, 1, "k", "image/png", 1, SHA_A))
                .as("the earlier claim's token is dead").isFalse();
    }

    @Test
    void onlyTheOwnerArchivesAndOnlyFromReceived() {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-arch");
        assertThat(ledger.markArchived("gen-arch", "w1:0", MANIFEST_KEY, MANIFEST)).as("never claimed").isFalse();
        ArchiveClaim claim = ledger.claimForArchive("gen-arch");

        assertThat(ledger.markArchived("gen-arch", "someone-else:1", MANIFEST_KEY, MANIFEST)).isFalse();
        assertThat(ledger.markArchived("gen-arch", claim.leaseOwner(), MANIFEST_KEY, MANIFEST)).isTrue();
        assertThat(ledger.markArchived("gen-arch", claim.leaseOwner(), MANIFEST_KEY, MANIFEST)).isFalse();
        assertThat(ledger.markFailed("gen-arch", claim.leaseOwner(), "image_http_404")).isFalse();
        assertThat(ledger.releaseForRetry("gen-arch", claim.leaseOwner(), "s3_unavailable")).isFalse();

        GenerationRecord r = row("gen-arch");
        assertThat(r.state()).isEqualTo(GenerationState.ARCHIVED);
        assertThat(r.leaseOwner()).isNull();
        assertThat(r.leaseUntil()).isNull();
        assertThat(ledger.findDueForArchive(10)).doesNotContain("gen-arch");
        assertThat(ledger.claimForArchive("gen-arch")).isNull();
        assertThat(store.acceptReceived("gen-arch", "webhook", null, IMAGES)).as("a late duplicate").isFalse();
        assertThat(ledger.claimForArchive("gen-arch")).isNull();
        assertThat(row("gen-arch").state()).isEqualTo(GenerationState.ARCHIVED);
    }

    @Test
    void aGenerationWhoseLinksExpiredIsFailedNotClaimed() throws Exception {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-old");
        accept("gen-old-leased");
        long dayAgo = System.currentTimeMillis() - 25L * 3_600_000;
        db.execute("UPDATE generation SET received_at = " + dayAgo + ", next_attempt_at = " + dayAgo
                + " WHERE generation_id IN ('gen-old', 'gen-old-leased')");
        db.execute("UPDATE generation SET lease_owner = 'busy:1', lease_until = " + (System.currentTimeMillis() + 60_000)
                + " WHERE generation_id = 'gen-old-leased'");
        assertThat(ledger.findDueForArchive(10)).containsExactly("gen-old");

        assertThat(ledger.claimForArchive("gen-old")).isNull();

        GenerationRecord r = row("gen-old");
        assertThat(r.state()).isEqualTo(GenerationState.FAILED);
        assertThat(r.error()).isEqualTo(ArchiveLedger.LINKS_EXPIRED);
        assertThat(r.leaseOwner()).isNull();
        assertThat(ledger.findDueForArchive(10)).isEmpty();
        assertThat(ledger.claimForArchive("gen-old-leased")).isNull();
        assertThat(row("gen-old-leased").state()).as("a live worker keeps it").isEqualTo(GenerationState.RECEIVED);

        ArchiveLedger patient = ledger(store, "w2");
        patient.setLinksExpireAfterHours(48);
        accept("gen-day-old");
        db.execute("UPDATE generation SET received_at = " + dayAgo + " WHERE generation_id = 'gen-day-old'");
        assertThat(patient.claimForArchive("gen-day-old")).isNotNull();
    }

    @Test
    void releaseForRetryBacksOffExponentiallyUpToTheMaximum() throws Exception {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-retry");

        long[] expectedSeconds = {5, 10, 20};
        for (int attempt = 0; attempt < expectedSeconds.length; attempt++) {
            ArchiveClaim claim = ledger.claimForArchive("gen-retry");
            assertThat(claim).as("attempt %d", attempt).isNotNull();
            long before = System.currentTimeMillis();
            assertThat(ledger.releaseForRetry("gen-retry", claim.leaseOwner(), "image_http_503")).isTrue();
            long after = System.currentTimeMillis();

            GenerationRecord r = row("gen-retry");
            assertThat(r.state()).isEqualTo(GenerationState.RECEIVED);
            assertThat(r.attempts()).isEqualTo(attempt + 1);
            assertThat(r.error()).isEqualTo("image_http_503");
            assertThat(r.leaseOwner()).isNull();
            assertThat(r.leaseUntil()).isNull();
            assertThat(r.nextAttemptAt()).isBetween(before + expectedSeconds[attempt] * 1000,
                    after + expectedSeconds[attempt] * 1000);
            assertThat(ledger.findDueForArchive(10)).doesNotContain("gen-retry");
            assertThat(ledger.claimForArchive("gen-retry")).as("backing off").isNull();
            db.execute("UPDATE generation SET next_attempt_at = 0 WHERE generation_id = 'gen-retry'");
        }

        db.execute("UPDATE generation SET attempts = 40 WHERE generation_id = 'gen-retry'");
        ArchiveClaim claim = ledger.claimForArchive("gen-retry");
        long before = System.currentTimeMillis();
        assertThat(ledger.releaseForRetry("gen-retry", claim.leaseOwner(), "s3_unavailable")).isTrue();
        assertThat(row("gen-retry").nextAttemptAt()).isBetween(before + 300_000, System.currentTimeMillis() + 300_000);
        assertThat(row("gen-retry").attempts()).isEqualTo(41);
    }

    @Test
    void theBackoffLadderFollowsTheSettings() throws Exception {
        ArchiveLedger ledger = ledger(store, "w1");
        ledger.setRetryInitialDelaySeconds(3);
        ledger.setRetryMaxDelaySeconds(20);
        assertThat(List.of(0, 1, 2, 3, 4, 100).stream().map(ledger::retryDelayMillis))
                .containsExactly(3000L, 6000L, 12000L, 20000L, 20000L, 20000L);

        accept("gen-ladder");
        db.execute("UPDATE generation SET attempts = 2 WHERE generation_id = 'gen-ladder'");
        ArchiveClaim claim = ledger.claimForArchive("gen-ladder");
        long before = System.currentTimeMillis();
        assertThat(ledger.releaseForRetry("gen-ladder", claim.leaseOwner(), "s3_unavailable")).isTrue();
        assertThat(row("gen-ladder").nextAttemptAt()).isBetween(before + 12_000, System.currentTimeMillis() + 12_000);

        ledger.setRetryInitialDelaySeconds(0);
        db.execute("UPDATE generation SET next_attempt_at = 0 WHERE generation_id = 'gen-ladder'");
        claim = ledger.claimForArchive("gen-ladder");
        assertThat(ledger.releaseForRetry("gen-ladder", claim.leaseOwner(), "s3_unavailable")).isTrue();
        assertThat(ledger.claimForArchive("gen-ladder")).as("no delay").isNotNull();
    }

    @Test
    void markFailedKeepsTheRecordedImages() {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-fail");
        ArchiveClaim claim = ledger.claimForArchive("gen-fail");
        assertThat(ledger.recordImage("gen-fail", claim.leaseOwner(), 0, "generations/gen-fail/0.png", "image/png",
                10, SHA_A)).isTrue();

        assertThat(ledger.markFailed("gen-fail", "someone-else:1", "image_http_404")).isFalse();
        assertThat(ledger.markFailed("gen-fail", claim.leaseOwner(), "image_http_404")).isTrue();

        GenerationRecord r = row("gen-fail");
        assertThat(r.state()).isEqualTo(GenerationState.FAILED);
        assertThat(r.error()).isEqualTo("image_http_404");
        assertThat(r.leaseOwner()).isNull();
        assertThat(ledger.storedKeys("gen-fail")).containsExactly("generations/gen-fail/0.png");
        assertThat(ledger.claimForArchive("gen-fail")).isNull();
        assertThat(ledger.findDueForArchive(10)).isEmpty();
        assertThat(ledger.markArchived("gen-fail", claim.leaseOwner(), MANIFEST_KEY, MANIFEST)).isFalse();
    }

    @Test
    void reasonsAndValuesTheColumnsCannotHoldAreRefusedBeforeTheDatabase() {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("gen-bad");
        ArchiveClaim claim = ledger.claimForArchive("gen-bad");
        String owner = claim.leaseOwner();

        assertThatThrownBy(() -> ledger.markFailed("gen-bad", owner,
                "java.net.ConnectException: Connection refused to https://ideogram.ai/x?sig=secret"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.releaseForRetry("gen-bad", owner, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.recordRefusedImage("gen-bad", owner, 0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.recordImage("gen-bad", owner, -1, "k", "image/png", 1, SHA_A))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.recordImage("gen-bad", owner, 0, "k", "image/png", 1, "not-a-digest"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.recordImage("gen-bad", owner, 0, "k".repeat(1025), "image/png", 1, SHA_A))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.markArchived("gen-bad", null, MANIFEST_KEY, MANIFEST))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.claimForArchive(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.setInstanceId("has space")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.countByState("DONE")).isInstanceOf(IllegalArgumentException.class);

        GenerationRecord r = row("gen-bad");
        assertThat(r.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(r.leaseOwner()).isEqualTo(owner);
        assertThat(ledger.listImages("gen-bad")).isEmpty();
        assertThat(ledger.recordImage("gen-bad", owner, 0, "k".repeat(1024), "image/png", 1, SHA_A)).isTrue();
    }

    @Test
    void countsByState() throws Exception {
        ArchiveLedger ledger = ledger(store, "w1");
        accept("c-1");
        accept("c-2");
        accept("c-3");
        ArchiveClaim claim = ledger.claimForArchive("c-3");
        ledger.markArchived("c-3", claim.leaseOwner(), MANIFEST_KEY, MANIFEST);

        assertThat(ledger.countByState("RECEIVED")).isEqualTo(2);
        assertThat(ledger.countByState("archived")).isEqualTo(1);
        assertThat(ledger.countByState("FAILED")).isZero();
    }

    @Test
    void aStoppedStoreFailsAsUnavailableWithAFixedMessage() {
        ArchiveLedger ledger = ledger(store, "w1");
        store.stop();

        assertThatThrownBy(() -> ledger.findDueForArchive(10)).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> ledger.claimForArchive("gen-x")).isInstanceOf(StoreUnavailableException.class)
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage().toLowerCase()).doesNotContain("jdbc", "select", "update"));
        assertThatThrownBy(() -> ledger.recordImage("gen-x", "w1:1", 0, "k", "image/png", 1, SHA_A))
                .isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void theWholeArchiveOfManyGenerationsByCompetingWorkersArchivesEachOnce() throws Exception {
        List<ArchiveLedger> workers = List.of(ledger(store, "a"), ledger(store, "b"),
                ledger(anotherInstance(), "c"), ledger(anotherInstance(), "d"));
        int generations = 40;
        for (int i = 0; i < generations; i++) {
            accept("bulk-" + i);
        }

        List<Integer> archivedByEach = concurrently(workers.size(), w -> {
            ArchiveLedger ledger = workers.get(w);
            int archived = 0;
            List<String> due;
            while (!(due = ledger.findDueForArchive(5)).isEmpty()) {
                for (String id : due) {
                    ArchiveClaim claim = ledger.claimForArchive(id);
                    if (claim == null) {
                        continue;
                    }
                    for (int image = 0; image < 2; image++) {
                        if (!claim.isRecorded(image) && !ledger.recordImage(id, claim.leaseOwner(), image,
                                "generations/" + id + "/" + image + ".png", "image/png", 1, SHA_A)) {
                            throw new AssertionError("lease lost on " + id);
                        }
                    }
                    if (ledger.markArchived(id, claim.leaseOwner(), MANIFEST_KEY, MANIFEST)) {
                        archived++;
                    }
                }
            }
            return archived;
        });

        assertThat(archivedByEach.stream().mapToInt(Integer::intValue).sum()).isEqualTo(generations);
        assertThat(db.countRows("state = 'ARCHIVED'")).isEqualTo(generations);
        assertThat(workers.get(0).listImages("bulk-7")).hasSize(2);
    }
}
