package io.ideogramcamel.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The idempotent repository of the webhook route, keyed by generation id, over the generation store
 * so it survives restarts, with a Caffeine cache in front so a duplicate delivery usually costs no
 * database round trip.
 *
 * <p>Meant for {@code idempotentConsumer} with {@code eager: true}, {@code skipDuplicate: false},
 * {@code removeOnFailure: false}: the eager {@link #add(Exchange, String)} runs on the HTTP worker
 * before the reply and <em>is</em> the durable accept. It records the generation from the exchange
 * properties ({@link GenerationExchange#SOURCE}, {@link GenerationExchange#CREATED},
 * {@link GenerationExchange#IMAGES}, {@link GenerationExchange#COST_MICROS} when known) and
 * returns only once the row is committed. A key is marked
 * only by a committed row: when the store fails, {@code add} throws and nothing is marked, so
 * Ideogram's retry can succeed. A forged delivery never reaches the idempotent consumer (the
 * signature is verified first), so it never marks an id.
 */
public class GenerationIdempotentRepository implements IdempotentRepository {

    private GenerationStore store;
    private long cacheSize = 100_000;
    private volatile Cache<String, Boolean> cache;

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    /** Ids remembered in memory; beyond that the least useful are dropped and the store answers. */
    public void setCacheSize(long cacheSize) {
        this.cacheSize = cacheSize;
    }

    /**
     * Accepts the delivery: true if this call recorded the generation, false if it was already
     * recorded (a duplicate: the stored row is not changed).
     *
     * @throws StoreUnavailableException if the store could not commit; the key stays unmarked
     */
    @Override
    public boolean add(Exchange exchange, String key) {
        Cache<String, Boolean> known = cache();
        if (known.getIfPresent(key) != null) {
            return false;
        }
        String source = exchange.getProperty(GenerationExchange.SOURCE, "webhook", String.class);
        String created = exchange.getProperty(GenerationExchange.CREATED, String.class);
        String images = exchange.getProperty(GenerationExchange.IMAGES, String.class);
        Long costMicros = exchange.getProperty(GenerationExchange.COST_MICROS, Long.class);
        boolean recorded = requireStore().acceptReceived(key, source, created, images, costMicros);
        // Either outcome means the id is now recorded in a state a later delivery cannot change.
        known.put(key, Boolean.TRUE);
        return recorded;
    }

    /**
     * Unsupported: without the exchange there is no delivery to record, and a RECEIVED row without
     * its images would leave the archiver nothing to fetch. The idempotent consumer always calls
     * {@link #add(Exchange, String)}.
     */
    @Override
    public boolean add(String key) {
        throw new UnsupportedOperationException("add needs the exchange: it records the delivery's data");
    }

    /**
     * True when {@link #add(Exchange, String)} would answer "duplicate": the id is recorded in a
     * state other than SUBMITTED (a SUBMITTED row still waits for its delivery).
     *
     * @throws StoreUnavailableException if the store cannot be read
     */
    @Override
    public boolean contains(String key) {
        Cache<String, Boolean> known = cache();
        if (known.getIfPresent(key) != null) {
            return true;
        }
        boolean recorded = requireStore().find(key)
                .map(r -> r.state() != GenerationState.SUBMITTED && r.state() != GenerationState.QUEUED)
                .orElse(false);
        if (recorded) {
            known.put(key, Boolean.TRUE);
        }
        return recorded;
    }

    /**
     * A no-op. Camel calls it on failure only with removeOnFailure, and then on the Vert.x event loop
     * after the answer is written, where a blocking database call would stall the server. Nothing
     * needs undoing anyway: a committed row is the accept, and a failed accept marked nothing.
     */
    @Override
    public boolean remove(String key) {
        return false;
    }

    /**
     * A no-op that reports success. Camel calls it after the exchange completes, on the Vert.x event
     * loop (which must not block); the eager add already committed the row, so there is nothing
     * left to confirm. Should a later step fail, Ideogram's retry is a cheap duplicate and the timers
     * finish the work from the store.
     */
    @Override
    public boolean confirm(String key) {
        return true;
    }

    /** Forgets the cached ids only; the store keeps every generation. */
    @Override
    public void clear() {
        Cache<String, Boolean> known = cache;
        if (known != null) {
            known.invalidateAll();
        }
    }

    /** Nothing to start: the store has its own lifecycle, shared with other routes. */
    @Override
    public void start() {
    }

    /**
     * Nothing to stop. The idempotent consumer stops its repository with its route; stopping the
     * store here would take it from the other routes that share it.
     */
    @Override
    public void stop() {
    }

    private GenerationStore requireStore() {
        if (store == null) {
            throw new IllegalStateException("GenerationIdempotentRepository needs a store");
        }
        return store;
    }

    /*
     * Built on first use, not in the constructor, because the cache size arrives by setter after
     * construction (YAML beans set properties, then use the bean without any init call).
     */
    private Cache<String, Boolean> cache() {
        Cache<String, Boolean> c = cache;
        if (c == null) {
            synchronized (this) {
                c = cache;
                if (c == null) {
                    c = Caffeine.newBuilder().maximumSize(cacheSize).build();
                    cache = c;
                }
            }
        }
        return c;
    }
}
