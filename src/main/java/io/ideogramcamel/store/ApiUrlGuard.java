package io.ideogramcamel.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this bundle may call Ideogram with this store: only at the API URL the store remembers
 * ({@link StoreIdentity}). A store filled against the demo's stand-in would otherwise send its
 * queued prompts to the real API and bill them, and polls carry the API key to whichever host is
 * configured. The send and poll routes ask {@link #mayCall(String)} before they claim anything, so a
 * refused request stays queued and nothing is lost; accepting webhooks is never refused.
 *
 * <p>Decided once per run, on the first question (never in the constructor: Camel creates YAML beans
 * twice), and then kept: the ERROR line is written once. A fresh store records the configured URL;
 * {@code ideogram.allow-api-url-change=true} records a different one instead of refusing.
 */
public class ApiUrlGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ApiUrlGuard.class);

    /** Where the decision stands. */
    public enum Decision {
        /** Not asked yet, or the store could not be read: nothing is sent meanwhile. */
        UNDECIDED,
        /** The store remembers the configured URL (or just recorded it). */
        ALLOWED,
        /** The store remembers another URL and no change is allowed. */
        REFUSED
    }

    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    private StoreIdentity identity;
    private String apiUrl;
    private boolean allowChange;
    private volatile Decision decision = Decision.UNDECIDED;
    private volatile String remembered;

    public void setIdentity(StoreIdentity identity) {
        this.identity = identity;
    }

    /** ideogram.api-url; kept normalised (no userinfo, query or fragment). */
    public void setApiUrl(String apiUrl) {
        this.apiUrl = ApiUrls.normalise(apiUrl);
    }

    /** ideogram.allow-api-url-change: record the configured URL over another one. */
    public void setAllowChange(boolean allowChange) {
        this.allowChange = allowChange;
    }

    /**
     * For the routes' filters: true when Ideogram may be called now. Never throws.
     *
     * @param caller the asking route's id, counted when refused
     */
    public boolean mayCall(String caller) {
        Decision d = decide();
        if (d != Decision.ALLOWED) {
            refusals.computeIfAbsent(String.valueOf(caller), k -> new AtomicLong()).incrementAndGet();
        }
        return d == Decision.ALLOWED;
    }

    /**
     * The decision, taken on the first call that can read the store. A store that cannot be read
     * leaves it UNDECIDED (the store's own warning says why) and it is tried again next time.
     */
    public synchronized Decision decide() {
        if (decision != Decision.UNDECIDED) {
            return decision;
        }
        try {
            remembered = identity.recordIfAbsent(apiUrl);
            decision = remembered.equals(apiUrl) ? Decision.ALLOWED : changed();
        } catch (StoreUnavailableException e) {
            return Decision.UNDECIDED;
        }
        return decision;
    }

    private Decision changed() {
        if (!allowChange) {
            LOG.error("Not calling Ideogram: the store was used with {} but ideogram.api-url is {}; queued requests "
                    + "stay queued and nothing is polled. Use that store's own URL, another store, or set "
                    + "ideogram.allow-api-url-change=true to send them to {}", remembered, apiUrl, apiUrl);
            return Decision.REFUSED;
        }
        identity.replace(apiUrl);
        LOG.warn("Ideogram API URL of the store changed from {} to {} (ideogram.allow-api-url-change=true); queued "
                + "requests and polls now go to {}. Remove the setting again.", remembered, apiUrl, apiUrl);
        remembered = apiUrl;
        return Decision.ALLOWED;
    }

    /** The URL the store remembers, once decided (null before). */
    public String rememberedApiUrl() {
        return remembered;
    }

    /** The configured URL, normalised. */
    public String configuredApiUrl() {
        return apiUrl;
    }

    /** How many times this caller was told not to call (a sign that its route ran and sent nothing). */
    public long refusals(String caller) {
        AtomicLong count = refusals.get(caller);
        return count == null ? 0 : count.get();
    }
}
