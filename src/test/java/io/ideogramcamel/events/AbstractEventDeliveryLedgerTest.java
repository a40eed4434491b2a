package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ideogramcamel.events.EventDestinations.Kind;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.testing.Concurrently;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The event delivery ledger's contract on each real database (the subclasses): which deliveries are
 * due, one claim per delivery, every ending guarded by the lease, restarts releasing their leases,
 * and two instances sharing the work without one delivery attempted by both at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractEventDeliveryLedgerTest {

    private static final String WEBHOOK = "https://hooks.example.com/in";

    protected GenerationStore store;
    protected EventRows rows;
    private final List<GenerationStore> stores = new ArrayList<>();
    private final List<EventDeliveryLedger> ledgers = new ArrayList<>();

    protected abstract String jdbcUrl();

    protected abstract String username();

    protected abstract void dropDatabase() throws Exception;

    /** A store for a second instance: its own pool on PostgreSQL; the same store on an H2 file. */
    protected abstract GenerationStore anotherInstance();

    @BeforeEach
    void setUp() throws Exception {
        store = startStore();
        store.find("schema"); // creates the schema before anything races on it
        rows = new EventRows(jdbcUrl(), username());
    }

    @AfterEach
    void tearDown() throws Exception {
        ledgers.forEach(EventDeliveryLedger::stop);
        stores.forEach(GenerationStore::stop);
        dropDatabase();
    }

    protected GenerationStore startStore() {
        GenerationStore s = new GenerationStore();
        s.setJdbcUrl(jdbcUrl());
        s.setUsername(username());
        s.setConnectionTimeoutMillis(2000);
        stores.add(s);
        s.start();
        return s;
    }

    EventDeliveryLedger ledger(GenerationStore on, String instanceId) {
        EventDeliveryLedger ledger = new EventDeliveryLedger();
        ledger.setStore(on);
        ledger.setInstanceId(instanceId);
        ledgers.add(ledger);
        return ledger;
    }

    @Test
    void findDueListsDuePendingUnleasedDeliveriesOnlyOldestFirst() throws Exception {
        long now = rows.databaseNow();
        long first = rows.delivery("evt_1", WEBHOOK, Kind.CALLBACK);
        long second = rows.delivery("evt_2", "log://events", Kind.ENDPOINT);
        long later = rows.delivery("evt_3", WEBHOOK, Kind.CALLBACK);
        long leased = rows.delivery("evt_4", WEBHOOK, Kind.CALLBACK);
        long delivered = rows.delivery("evt_5", WEBHOOK, Kind.CALLBACK);
        long dead = rows.delivery("evt_6", WEBHOOK, Kind.CALLBACK);
        rows.execute("UPDATE event_delivery SET next_attempt_at = " + (now - 5000) + " WHERE delivery_id = " + first);
        rows.execute("UPDATE event_delivery SET next_attempt_at = " + (now - 4000) + " WHERE delivery_id = " + second);
        rows.execute("UPDATE event_delivery SET next_attempt_at = " + (now + 60_000) + " WHERE delivery_id = " + later);
        rows.execute("UPDATE event_delivery SET lease_owner = 'x:1', lease_until = " + (now + 60_000)
                + " WHERE delivery_id = " + leased);
        rows.execute("UPDATE event_delivery SET state = 'DELIVERED' WHERE delivery_id = " + delivered);
        rows.execute("UPDATE event_delivery SET state = 'DEAD' WHERE delivery_id = " + dead);

        EventDeliveryLedger ledger = ledger(store, "w1");

        assertThat(ledger.findDue(10)).containsExactly(first, second);
        assertThat(ledger.findDue(1)).containsExactly(first);
        assertThat(ledger.findDue(0)).isEmpty();
    }

    @Test
    void aClaimCarriesTheEnvelopeAndTheSubmissionsCallbackUrlAndSucceedsOnce() throws Exception {
        rows.submission("q-1", "https://caller.example.com/cb?token=abc");
        long[] ids = rows.event("evt_a", "q-1", new java.util.LinkedHashMap<>(Map.of(
                EventDestinations.CALLBACK_URL, Kind.CALLBACK)));
        long other = rows.delivery("evt_b", "log://events", Kind.ENDPOINT);
        EventDeliveryLedger ledger = ledger(store, "w1");

        DeliveryClaim claim = ledger.claim(ids[0]);

        assertThat(claim).isNotNull();
        assertThat(claim.eventId()).isEqualTo("evt_a");
        assertThat(claim.eventType()).isEqualTo("generation.completed");
        assertThat(claim.kind()).isEqualTo(Kind.CALLBACK);
        assertThat(claim.isOwnCallback()).isTrue();
        assertThat(claim.callbackUrl()).isEqualTo("https://caller.example.com/cb?token=abc");
        assertThat(claim.envelope()).isEqualTo(EventRows.envelope("evt_a", "generation.completed"));
        assertThat(claim.attempts()).isZero();
        assertThat(claim.leaseOwner()).startsWith("w1:");
        assertThat(claim.toString()).doesNotContain("token=abc");
        assertThat(ledger.claim(ids[0])).isNull();
        assertThat(ledger(store, "w2").claim(ids[0])).isNull();

        DeliveryClaim endpoint = ledger.claim(other);
        assertThat(endpoint.kind()).isEqualTo(Kind.ENDPOINT);
        assertThat(endpoint.callbackUrl()).isNull();
        assertThat(endpoint.destination()).isEqualTo("log://events");
    }

    @Test
    void deliveredCountsTheAttemptAndEndsTheWork() throws Exception {
        long id = rows.delivery("evt_d", WEBHOOK, Kind.CALLBACK);
        EventDeliveryLedger ledger = ledger(store, "w1");
        DeliveryClaim claim = ledger.claim(id);

        assertThat(ledger.markDelivered(claim, 204)).isTrue();

        Map<String, Object> row = rows.row(id);
        assertThat(row.get("state")).isEqualTo("DELIVERED");
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat(row.get("last_status")).isEqualTo(204);
        assertThat(row.get("last_error")).isNull();
        assertThat(row.get("delivered_at")).isNotNull();
        assertThat(row.get("lease_owner")).isNull();
        assertThat(ledger.findDue(10)).isEmpty();
        assertThat(ledger.markDelivered(claim, 200)).as("a second ending").isFalse();
        assertThat(ledger.markDead(claim, 500, "http_500")).isFalse();
        assertThat(rows.state(id)).isEqualTo("DELIVERED");
    }

    @Test
    void retryLaterCountsTheAttemptAndMakesItDueAfterTheDelayOnTheDatabasesClock() throws Exception {
        long id = rows.delivery("evt_r", WEBHOOK, Kind.CALLBACK);
        EventDeliveryLedger ledger = ledger(store, "w1");
        DeliveryClaim claim = ledger.claim(id);
        long before = rows.databaseNow();

        assertThat(ledger.retryLater(claim, 600_000, 503, "http_503")).isTrue();

        long after = rows.databaseNow();
        Map<String, Object> row = rows.row(id);
        assertThat(row.get("state")).isEqualTo("PENDING");
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat(row.get("last_status")).isEqualTo(503);
        assertThat(row.get("last_error")).isEqualTo("http_503");
        assertThat(row.get("lease_owner")).isNull();
        assertThat((Long) row.get("next_attempt_at")).isBetween(before + 600_000, after + 600_000);
        assertThat(ledger.findDue(10)).isEmpty();
        assertThat(ledger.claim(id)).as("not due yet").isNull();

        rows.execute("UPDATE event_delivery SET next_attempt_at = " + (after - 1) + " WHERE delivery_id = " + id);
        DeliveryClaim again = ledger.claim(id);
        assertThat(again.attempts()).isEqualTo(1);
        assertThat(again.eventId()).isEqualTo("evt_r");
        assertThat(ledger.retryLater(again, 0, null, "connection_failed")).isTrue();
        assertThat(rows.row(id).get("last_status")).isNull();
        assertThat(ledger.findDue(10)).containsExactly(id);
    }

    @Test
    void deadKeepsTheStatusAndToken() throws Exception {
        long id = rows.delivery("evt_x", WEBHOOK, Kind.CALLBACK);
        EventDeliveryLedger ledger = ledger(store, "w1");

        assertThat(ledger.markDead(ledger.claim(id), 410, "gone")).isTrue();

        Map<String, Object> row = rows.row(id);
        assertThat(row.get("state")).isEqualTo("DEAD");
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat(row.get("last_status")).isEqualTo(410);
        assertThat(row.get("last_error")).isEqualTo("gone");
        assertThat(ledger.findDue(10)).isEmpty();
    }

    @Test
    void aWorkerWhoseLapsedLeaseWasTakenOverChangesNothing() throws Exception {
        long id = rows.delivery("evt_l", WEBHOOK, Kind.CALLBACK);
        EventDeliveryLedger slow = ledger(store, "w1");
        EventDeliveryLedger other = ledger(anotherInstance(), "w2");
        DeliveryClaim stale = slow.claim(id);
        rows.execute("UPDATE event_delivery SET lease_until = " + (rows.databaseNow() - 1) + " WHERE delivery_id = " + id);

        DeliveryClaim taken = other.claim(id);

        assertThat(taken).isNotNull();
        assertThat(slow.renewLease(Long.toString(id), stale.leaseOwner())).isFalse();
        assertThat(slow.markDelivered(stale, 200)).isFalse();
        assertThat(slow.retryLater(stale, 0, 500, "http_500")).isFalse();
        assertThat(slow.markDead(stale, 410, "gone")).isFalse();
        assertThat(rows.row(id).get("lease_owner")).isEqualTo(taken.leaseOwner());
        assertThat(other.markDelivered(taken, 200)).isTrue();
    }

    @Test
    void aKeptLeaseIsRenewedWhileTheSendRuns() throws Exception {
        long id = rows.delivery("evt_k", WEBHOOK, Kind.CALLBACK);
        EventDeliveryLedger ledger = ledger(store, "w1");
        DeliveryClaim claim = ledger.claim(id);
        rows.execute("UPDATE event_delivery SET lease_until = " + (rows.databaseNow() + 1000) + " WHERE delivery_id = " + id);

        ledger.keepAlive(Long.toString(id), claim.leaseOwner());
        ledger.renewKeptLeases();

        assertThat((Long) rows.row(id).get("lease_until")).isGreaterThan(rows.databaseNow() + 30_000);
        ledger.stopKeepingAlive(claim.leaseOwner());
        assertThat(ledger.isKeptAlive(claim.leaseOwner())).isFalse();
    }

    @Test
    void aRestartedInstanceReleasesWhatItsEarlierRunHeldAndNothingElse() throws Exception {
        long mine = rows.delivery("evt_m", WEBHOOK, Kind.CALLBACK);
        long theirs = rows.delivery("evt_t", WEBHOOK, Kind.CALLBACK);
        ledger(store, "w1").claim(mine);
        ledger(store, "w2").claim(theirs);

        EventDeliveryLedger restarted = ledger(store, "w1");

        assertThat(restarted.findDue(10)).containsExactly(mine);
        DeliveryClaim again = restarted.claim(mine);
        assertThat(again).isNotNull();
        assertThat(again.attempts()).isZero();
        assertThat(rows.row(theirs).get("lease_owner")).asString().startsWith("w2:");
    }

    @Test
    void racingClaimsOfOneDeliveryHaveOneWinner() throws Exception {
        long id = rows.delivery("evt_race", WEBHOOK, Kind.CALLBACK);
        List<Callable<DeliveryClaim>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            EventDeliveryLedger ledger = ledger(i % 2 == 0 ? store : anotherInstance(), "w" + i);
            calls.add(() -> ledger.claim(id));
        }

        List<DeliveryClaim> claims = Concurrently.run(calls);

        assertThat(claims.stream().filter(java.util.Objects::nonNull)).hasSize(1);
    }

    /**
     * Two instances work one backlog through, each listing, claiming and ending deliveries as the
     * dispatcher does: every delivery ends DELIVERED after exactly one attempt, none is sent by both.
     */
    @Test
    void twoInstancesShareTheBacklogAndEachDeliveryIsAttemptedOnce() throws Exception {
        int count = 60;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(rows.delivery("evt_two_" + i, WEBHOOK, Kind.CALLBACK));
        }
        Map<Long, String> sentBy = new ConcurrentHashMap<>();
        AtomicInteger doubleSends = new AtomicInteger();
        List<Callable<Integer>> instances = new ArrayList<>();
        for (String instance : List.of("a", "b")) {
            EventDeliveryLedger ledger = ledger(instance.equals("a") ? store : anotherInstance(), instance);
            instances.add(() -> {
                int sent = 0;
                List<Long> due;
                while (!(due = ledger.findDue(7)).isEmpty()) {
                    for (long id : due) {
                        DeliveryClaim claim = ledger.claim(id);
                        if (claim == null) {
                            continue;
                        }
                        if (sentBy.putIfAbsent(id, instance) != null) {
                            doubleSends.incrementAndGet();
                        }
                        assertThat(ledger.markDelivered(claim, 200)).isTrue();
                        sent++;
                    }
                }
                return sent;
            });
        }

        List<Integer> sent = Concurrently.run(instances);

        assertThat(sent.get(0) + sent.get(1)).isEqualTo(count);
        assertThat(doubleSends.get()).isZero();
        assertThat(sentBy.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        for (long id : ids) {
            assertThat(rows.row(id)).containsEntry("state", "DELIVERED").containsEntry("attempts", 1);
        }
    }
}
