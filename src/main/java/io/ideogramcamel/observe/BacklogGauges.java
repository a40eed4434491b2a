package io.ideogramcamel.observe;

import java.util.function.LongSupplier;

import io.ideogramcamel.store.BacklogCounts;
import io.ideogramcamel.store.StoreUnavailableException;
import io.ideogramcamel.submit.SubmissionLedger;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog as gauges: the store is asked on a timer ({@link #refresh}), one indexed statement per
 * number, and a scrape only reads the last values. NaN until the first answer; while the store is
 * down the last values stay and {@code ideogram_store_up} is 0, so a scrape never waits on, nor fails
 * with, the database.
 */
public class BacklogGauges {

    private static final Logger LOG = LoggerFactory.getLogger(BacklogGauges.class);

    private BacklogCounts counts;
    private SubmissionLedger submissions;
    private LongSupplier clock = System::currentTimeMillis;

    private volatile double queued = Double.NaN;
    private volatile double inflightImages = Double.NaN;
    private volatile double archiveBacklog = Double.NaN;
    private volatile double oldestAgeSeconds = Double.NaN;
    private volatile double pollsDue = Double.NaN;
    private volatile double storeUp = Double.NaN;
    private volatile double eventsPending = Double.NaN;
    private volatile double eventsDead = Double.NaN;
    private volatile boolean bound;

    public void setCounts(BacklogCounts counts) {
        this.counts = counts;
    }

    public void setSubmissions(SubmissionLedger submissions) {
        this.submissions = submissions;
    }

    void setClock(LongSupplier clock) {
        this.clock = clock;
    }

    /** Registers the gauges once; called from the refresh timer (the registry is bound at context start). */
    public synchronized void bind(Exchange exchange) {
        if (bound) {
            return;
        }
        MeterRegistry registry = MetricsRegistry.of(exchange.getContext());
        if (registry != null) {
            bindTo(registry);
        }
    }

    synchronized void bindTo(MeterRegistry registry) {
        if (bound) {
            return;
        }
        gauge(registry, "ideogram.submit.queued", "Submissions waiting in the queue (QUEUED)", g -> g.queued);
        gauge(registry, "ideogram.submit.inflight.images",
                "Images in flight at Ideogram as the submit budget counts them (sending, submitted, recently unknown)",
                g -> g.inflightImages);
        gauge(registry, "ideogram.archive.backlog", "Generations received and not yet archived (RECEIVED)",
                g -> g.archiveBacklog);
        gauge(registry, "ideogram.archive.backlog.oldest.age.seconds",
                "Age in seconds of the oldest generation received and not yet archived (0 when none)",
                g -> g.oldestAgeSeconds);
        gauge(registry, "ideogram.poll.due", "Submitted generations whose next poll is due", g -> g.pollsDue);
        gauge(registry, "ideogram.events.pending.deliveries",
                "Event deliveries (one per event and destination) not yet delivered nor dead", g -> g.eventsPending);
        gauge(registry, "ideogram.events.dead.deliveries",
                "Event deliveries given up (attempts exhausted, 410, refused host), until redelivered", g -> g.eventsDead);
        gauge(registry, "ideogram.store.up", "1 while the generation store answered the last backlog refresh, 0 if not",
                g -> g.storeUp);
        bound = true;
    }

    private void gauge(MeterRegistry registry, String name, String help,
            java.util.function.ToDoubleFunction<BacklogGauges> value) {
        Gauge.builder(name, this, value).description(help).strongReference(true).register(registry);
    }

    /** Asks the store for every number; on failure keeps the last values and marks the store down. */
    public void refresh() {
        try {
            queued = counts.queuedSubmissions();
            inflightImages = submissions.inflightImages();
            archiveBacklog = counts.archiveBacklog();
            oldestAgeSeconds = ageSeconds(counts.oldestReceivedAt());
            pollsDue = counts.pollsDue();
            eventsPending = counts.pendingEventDeliveries();
            eventsDead = counts.deadEventDeliveries();
            markStore(true);
        } catch (StoreUnavailableException e) {
            markStore(false);
        }
    }

    private double ageSeconds(long oldestReceivedAt) {
        return oldestReceivedAt < 0 ? 0 : Math.max(0, clock.getAsLong() - oldestReceivedAt) / 1000.0;
    }

    /* One line per change, not one per tick while the store stays down. */
    private void markStore(boolean up) {
        double before = storeUp;
        storeUp = up ? 1 : 0;
        if (!up && before != 0) {
            LOG.warn("Backlog gauges keep their last values: the store did not answer (ideogram_store_up=0)");
        } else if (up && before == 0) {
            LOG.info("Backlog gauges current again: the store answers (ideogram_store_up=1)");
        }
    }
}
