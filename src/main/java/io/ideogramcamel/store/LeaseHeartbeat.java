package io.ideogramcamel.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the leases of claims whose work is still running, every third of the lease, so a lease
 * can be short (a dead instance's work is taken over soon) while one step of the work (a slow
 * image) takes longer than the lease. A renewal is the ledger's guarded UPDATE on the lease token:
 * a lease taken over by someone else is dropped here, and the worker finds out at its next step.
 */
final class LeaseHeartbeat implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseHeartbeat.class);

    /** lease owner token → generation id */
    private final Map<String, String> held = new ConcurrentHashMap<>();
    private final BiPredicate<String, String> renew;
    private final ScheduledExecutorService timer;

    /**
     * @param renew the ledger's renewal: (id, lease owner) → still held
     */
    LeaseHeartbeat(String name, long periodMillis, BiPredicate<String, String> renew) {
        this.renew = renew;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::renewAll, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void keep(String id, String leaseOwner) {
        held.put(leaseOwner, id);
    }

    void forget(String leaseOwner) {
        held.remove(leaseOwner);
    }

    boolean isKept(String leaseOwner) {
        return held.containsKey(leaseOwner);
    }

    /** One round: each held lease renewed once; a failing store is tried again next round. */
    void renewAll() {
        for (Map.Entry<String, String> lease : held.entrySet()) {
            try {
                if (!renew.test(lease.getValue(), lease.getKey())) {
                    held.remove(lease.getKey());
                    LOG.debug("Lease {} on {} is no longer held; not renewed further", lease.getKey(),
                            lease.getValue());
                }
            } catch (StoreUnavailableException e) {
                // logged by the ledger; the lease still has two thirds of its time
                return;
            } catch (RuntimeException e) {
                LOG.warn("Lease renewal of {} failed: {}", lease.getValue(), e.getClass().getSimpleName());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        held.clear();
    }
}
