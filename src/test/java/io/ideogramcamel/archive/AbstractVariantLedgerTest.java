package io.ideogramcamel.archive;

import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.TestDatabase;
import io.ideogramcamel.store.GenerationStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The variant ledger's contract on each real database (subclasses: H2 file, PostgreSQL): variants
 * are recorded only under a lease the caller holds (the archive's on a RECEIVED row, the re-make's
 * on an ARCHIVED one), a re-make replaces a row, and two re-makes never hold one generation at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractVariantLedgerTest {

    private static final VariantSpec OG = new VariantSpec("og", 1200, 630, "webp", 85);
    private static final VariantSpec THUMB = new VariantSpec("thumb", 400, 400, "webp", 85);
    private static final String SHA = "c".repeat(64);

    protected TestDatabase db;
    protected GenerationStore store;
    private ArchiveLedger archive;
    private VariantLedger variants;

    protected abstract TestDatabase createDatabase() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        db = createDatabase();
        store = newStore(db.jdbcUrl(), db.username());
        store.start();
        archive = AbstractArchiveLedgerTest.ledger(store, "w1");
        variants = new VariantLedger();
        variants.setStore(store);
        variants.setInstanceId("w1");
    }

    @AfterEach
    void tearDown() throws Exception {
        variants.stop();
        archive.stop();
        store.stop();
        db.close();
    }

    /** A RECEIVED generation claimed by the archive, its image 0 stored. */
    private ArchiveClaim claimedWithOneImage(String id) {
        assertThat(store.acceptReceived(id, "webhook", "2025-06-01T10:00:00+00:00", IMAGES)).isTrue();
        ArchiveClaim claim = archive.claimForArchive(id);
        assertThat(archive.recordImage(id, claim.leaseOwner(), 0, "generations/" + id + "/0.png", "image/png", 10, SHA))
                .isTrue();
        return claim;
    }

    @Test
    void theArchiveRecordsUnderItsLeaseStoredAndFailedAlike() {
        ArchiveClaim claim = claimedWithOneImage("gen-v1");
        assertThat(variants.record(claim.leaseOwner(), false, GenerationVariant.stored("gen-v1", 0, OG,
                "generations/gen-v1/0-og.webp", 1234, SHA))).isTrue();
        assertThat(variants.record(claim.leaseOwner(), false, GenerationVariant.failed("gen-v1", 0, THUMB,
                "undecodable"))).isTrue();
        assertThat(variants.record("w2:other", false, GenerationVariant.failed("gen-v1", 0, THUMB, "too_large")))
                .as("not the lease holder").isFalse();
        assertThat(variants.record(claim.leaseOwner(), true, GenerationVariant.failed("gen-v1", 0, THUMB, "too_large")))
                .as("the re-make's lease needs an ARCHIVED row").isFalse();

        List<GenerationVariant> rows = variants.listVariants("gen-v1");
        assertThat(rows).extracting(GenerationVariant::variant).containsExactly("og", "thumb");
        GenerationVariant og = rows.get(0);
        assertThat(og.isStored()).isTrue();
        assertThat(og.objectKey()).isEqualTo("generations/gen-v1/0-og.webp");
        assertThat(og.contentType()).isEqualTo("image/webp");
        assertThat(og.sizeBytes()).isEqualTo(1234L);
        assertThat(og.matches(OG)).isTrue();
        assertThat(og.matches(new VariantSpec("og", 1200, 630, "webp", 70))).isFalse();
        assertThat(rows.get(1).failureReason()).isEqualTo("undecodable");
        assertThat(rows.get(1).objectKey()).isNull();
    }

    @Test
    void aReMakeTakesAnArchivedGenerationAloneReplacesRowsAndGivesTheLeaseBack() {
        ArchiveClaim claim = claimedWithOneImage("gen-v2");
        assertThat(variants.claimForRemake("gen-v2")).as("still RECEIVED").isNull();
        variants.record(claim.leaseOwner(), false, GenerationVariant.stored("gen-v2", 0, OG, "k/0-og.webp", 5, SHA));
        assertThat(archive.markArchived("gen-v2", claim.leaseOwner(), AbstractArchiveLedgerTest.MANIFEST_KEY,
                AbstractArchiveLedgerTest.MANIFEST)).isTrue();

        ArchiveClaim remake = variants.claimForRemake("gen-v2");
        assertThat(remake).isNotNull();
        assertThat(remake.images()).isEqualTo(IMAGES);
        assertThat(remake.source()).isEqualTo("webhook");
        assertThat(variants.claimForRemake("gen-v2")).as("a second re-make while the first holds it").isNull();

        VariantSpec smaller = new VariantSpec("og", 600, 315, "png", 85);
        assertThat(variants.record(remake.leaseOwner(), true,
                GenerationVariant.stored("gen-v2", 0, smaller, "k/0-og.png", 7, SHA))).isTrue();
        assertThat(variants.listVariants("gen-v2")).singleElement()
                .satisfies(row -> {
                    assertThat(row.objectKey()).isEqualTo("k/0-og.png");
                    assertThat(row.width()).isEqualTo(600);
                    assertThat(row.format()).isEqualTo("png");
                });

        assertThat(variants.finishRemake("gen-v2", remake.leaseOwner())).isTrue();
        assertThat(store.find("gen-v2").orElseThrow().state().name()).isEqualTo("ARCHIVED");
        assertThat(variants.record(remake.leaseOwner(), true,
                GenerationVariant.failed("gen-v2", 0, THUMB, "too_large"))).as("after the lease was given back").isFalse();
        assertThat(variants.claimForRemake("gen-v2")).as("free again").isNotNull();
    }

    @Test
    void theReMakesLeaseLeavesUpdatedAtAlone() throws Exception {
        ArchiveClaim claim = claimedWithOneImage("gen-v5");
        assertThat(archive.markArchived("gen-v5", claim.leaseOwner(), AbstractArchiveLedgerTest.MANIFEST_KEY,
                AbstractArchiveLedgerTest.MANIFEST)).isTrue();
        // an archived row from long ago: what the list pages by and the retention counts from
        try (java.sql.Connection c = store.connection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE generation SET updated_at = 1000 WHERE generation_id = 'gen-v5'");
        }
        ArchiveClaim remake = variants.claimForRemake("gen-v5");
        assertThat(remake).isNotNull();
        assertThat(variants.record(remake.leaseOwner(), true,
                GenerationVariant.failed("gen-v5", 0, THUMB, "too_large"))).isTrue();
        assertThat(variants.renewLease("gen-v5", remake.leaseOwner())).isTrue();
        assertThat(variants.finishRemake("gen-v5", remake.leaseOwner())).isTrue();
        try (java.sql.Connection c = store.connection(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(
                        "SELECT updated_at, lease_owner FROM generation WHERE generation_id = 'gen-v5'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1000L);
            assertThat(rs.getString(2)).isNull();
        }
    }

    @Test
    void theStateSaysUnknownArchivedOrOther() {
        claimedWithOneImage("gen-v3");
        assertThat(variants.state("gen-v3")).isEqualTo("RECEIVED");
        assertThat(variants.state("gen-none")).isNull();
    }

    @Test
    void variantsGoWithTheirImage() throws Exception {
        ArchiveClaim claim = claimedWithOneImage("gen-v4");
        variants.record(claim.leaseOwner(), false, GenerationVariant.stored("gen-v4", 0, OG, "k/0-og.webp", 5, SHA));
        try (java.sql.Connection c = store.connection(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM generation WHERE generation_id = 'gen-v4'");
        }
        assertThat(variants.listVariants("gen-v4")).isEmpty();
    }
}
