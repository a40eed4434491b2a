package io.ideogramcamel.archive;

import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ledger called the way the archive route calls it: a YAML route using the simple language's
 * bean calls and property access on the claim record. Guards the parameter and return types the
 * route relies on (null claim, booleans, the record's accessors, the recorded-index set).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ArchiveLedgerRouteCallTest {

    private static final String SHA = "c".repeat(64);

    private static final String ROUTE = """
            - route:
                id: ledger-call-check
                from:
                  uri: direct:archive-one
                  steps:
                    - setProperty:
                        name: claim
                        simple: "${bean:archiveLedger?method=claimForArchive(${body})}"
                    - choice:
                        when:
                          - simple: "${exchangeProperty.claim} == null"
                            steps:
                              - setBody:
                                  constant: "not-claimed"
                        otherwise:
                          steps:
                            - setProperty:
                                name: skipFirst
                                simple: "${exchangeProperty.claim.isRecorded(${header.idx})}"
                            - setProperty:
                                name: skipSecond
                                simple: "${exchangeProperty.claim.isRecorded(1)}"
                            - choice:
                                when:
                                  - simple: "${exchangeProperty.claim.recordedIndexes} contains ${header.idx}"
                                    steps:
                                      - setProperty:
                                          name: asPredicate
                                          constant: "yes"
                            - setProperty:
                                name: recorded
                                simple: "${bean:archiveLedger?method=recordImage(${exchangeProperty.claim.generationId}, ${exchangeProperty.claim.leaseOwner}, 1, 'generations/${body}/1.png', 'image/png', ${header.size}, ${header.sha})}"
                            - setProperty:
                                name: refused
                                simple: "${bean:archiveLedger?method=recordRefusedImage(${exchangeProperty.claim.generationId}, ${exchangeProperty.claim.leaseOwner}, 2, 'unsafe_image')}"
                            - setProperty:
                                name: archived
                                simple: "${bean:archiveLedger?method=markArchived(${exchangeProperty.claim.generationId}, ${exchangeProperty.claim.leaseOwner}, 'generations/${body}/manifest.json', ${header.manifest})}"
                            - setBody:
                                simple: "${exchangeProperty.claim.source}|${exchangeProperty.skipFirst}|${exchangeProperty.skipSecond}|${exchangeProperty.asPredicate}|${exchangeProperty.recorded}|${exchangeProperty.refused}|${exchangeProperty.archived}"
            - route:
                id: ledger-due-check
                from:
                  uri: direct:due
                  steps:
                    - setBody:
                        simple: "${bean:archiveLedger?method=findDueForArchive(10)}"
            """;

    private H2Database db;
    private GenerationStore store;
    private ArchiveLedger ledger;
    private DefaultCamelContext context;

    @BeforeEach
    void setUp() throws Exception {
        db = new H2Database();
        store = newStore(db.jdbcUrl(), db.username());
        store.start();
        ledger = new ArchiveLedger();
        ledger.setStore(store);
        context = new DefaultCamelContext();
        context.getRegistry().bind("archiveLedger", ledger);
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.fromString("ledger-check.camel.yaml", ROUTE));
        context.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        context.stop();
        store.stop();
        db.close();
    }

    @Test
    void theRouteClaimsRecordsAndArchivesThroughSimpleBeanCalls() throws Exception {
        ProducerTemplate template = context.createProducerTemplate();
        assertThat(store.acceptReceived("gen-route", "poll", null, IMAGES)).isTrue();
        ArchiveClaim earlier = ledger.claimForArchive("gen-route");
        ledger.recordImage("gen-route", earlier.leaseOwner(), 0, "generations/gen-route/0.png", "image/png", 5, SHA);
        ledger.releaseForRetry("gen-route", earlier.leaseOwner(), "s3_unavailable");
        db.execute("UPDATE generation SET next_attempt_at = 0 WHERE generation_id = 'gen-route'");

        assertThat(template.requestBody("direct:due", null, List.class)).containsExactly("gen-route");
        String outcome = template.requestBodyAndHeaders("direct:archive-one", "gen-route",
                Map.of("size", 123L, "sha", SHA, "idx", 0, "manifest",
                        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()), String.class);

        assertThat(outcome).isEqualTo("poll|true|false|yes|true|true|true");
        assertThat(store.find("gen-route").orElseThrow().state()).isEqualTo(GenerationState.ARCHIVED);
        assertThat(ledger.listImages("gen-route")).extracting(GenerationImage::index, GenerationImage::objectKey,
                GenerationImage::sizeBytes)
                .containsExactly(
                        tuple(0, "generations/gen-route/0.png", 5L),
                        tuple(1, "generations/gen-route/1.png", 123L),
                        tuple(2, null, null));

        assertThat(template.requestBody("direct:archive-one", "gen-route", String.class)).isEqualTo("not-claimed");
        assertThat(template.requestBody("direct:due", null, List.class)).isEmpty();
    }
}
