package io.ideogramcamel.signature;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.OnCamelContextStarting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ideogram's webhook signing keys, fetched from the JWKS URL on first use and held.
 * <ul>
 * <li>A key set once fetched is never dropped because a later fetch failed: an outage of the JWKS
 * endpoint must not turn away genuine deliveries signed by a key we have.</li>
 * <li>From 3/4 of maxAgeSeconds on, a background task (started by {@link #start()}) fetches the
 * set again, at most once per minRefetchSeconds, so no delivery waits on a refresh and a JWKS that
 * blips at expiry time costs nothing.</li>
 * <li>A failed fetch is remembered, and a refetch after a verification miss happens at most once
 * per minRefetchSeconds, so a stream of forged deliveries cannot turn into a stream of fetches.</li>
 * </ul>
 * A plain setter-configured bean so YAML {@code beans:}, JBang and Camel K can all create it;
 * nothing is fetched at construction, so a start with the JWKS unreachable works.
 */
public class JwksKeySource implements OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

    private final LongSupplier ticker;
    private final Object fetchLock = new Object();
    private final AtomicLong fetchCount = new AtomicLong();
    /** Null until the first fetch attempt; replaced, never mutated. */
    private volatile KeySet current;

    private volatile String jwksUrl;
    private volatile String urlSetting = "ideogram.jwks-url";
    private volatile boolean enabled = true;
    private volatile boolean allowHttp;
    private volatile long minRefetchNanos = TimeUnit.SECONDS.toNanos(30);
    private volatile long maxAgeNanos = TimeUnit.SECONDS.toNanos(86_400);
    private volatile int connectTimeoutMillis = 2_000;
    private volatile int readTimeoutMillis = 5_000;
    private volatile int maxBytes = 64 * 1024;
    private volatile int maxKeys = 20;
    private volatile int maxRedirects = 3;
    private JwksFetcher fetcher;
    private ScheduledExecutorService refresher;

    public JwksKeySource() {
        this(System::nanoTime);
    }

    JwksKeySource(LongSupplier ticker) {
        this.ticker = ticker;
    }

    public void setJwksUrl(String jwksUrl) {
        this.jwksUrl = jwksUrl;
    }

    /** The setting the URL comes from, named in the line that refuses it. */
    public void setUrlSetting(String urlSetting) {
        this.urlSetting = urlSetting;
    }

    /**
     * False: nothing starts with the context (no URL check, no refresh thread, no fetch), for the
     * key source of a provider that is switched off; keys are still fetched on first use.
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public void setAllowHttp(boolean allowHttp) {
        this.allowHttp = allowHttp;
    }

    public void setMinRefetchSeconds(long seconds) {
        this.minRefetchNanos = TimeUnit.SECONDS.toNanos(Math.max(0, seconds));
    }

    public void setMaxAgeSeconds(long seconds) {
        this.maxAgeNanos = TimeUnit.SECONDS.toNanos(Math.max(0, seconds));
    }

    public void setConnectTimeoutMillis(int millis) {
        this.connectTimeoutMillis = millis;
    }

    public void setReadTimeoutMillis(int millis) {
        this.readTimeoutMillis = millis;
    }

    public void setMaxBytes(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public void setMaxKeys(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    public void setMaxRedirects(int maxRedirects) {
        this.maxRedirects = maxRedirects;
    }

    /*
     * Camel calls this on the one instance its registry holds, as the context starts and before any
     * route does: the YAML DSL's pre-parse builds every bean twice, so an init method ran twice (two
     * pools, two refresh threads, every start-up line printed twice).
     */
    @Override
    public void onContextStarting(CamelContext context) {
        if (enabled) {
            start();
        }
    }

    /**
     * YAML initMethod: refuses a URL that may not be fetched (plain http to a non-loopback host
     * without allowHttp) with one line naming the setting, then starts the background refresh.
     */
    public void start() {
        URI uri = URI.create(url());
        String refusal = new JwksUrlPolicy(allowHttp).refusal(uri);
        if (refusal != null) {
            // scheme and host only: a URL's user info or query is no business of the log
            String message = urlSetting + " (" + uri.getScheme() + "://" + uri.getHost() + ") refused: " + refusal;
            LOG.error(message);
            throw new IllegalArgumentException(message);
        }
        synchronized (this) {
            if (refresher == null) {
                refresher = Executors.newSingleThreadScheduledExecutor(task -> {
                    Thread thread = new Thread(task, "jwks-refresh");
                    thread.setDaemon(true);
                    return thread;
                });
                long periodMillis = Math.max(1_000, TimeUnit.NANOSECONDS.toMillis(minRefetchNanos));
                refresher.scheduleWithFixedDelay(this::refreshQuietly, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** YAML destroyMethod: stops the background refresh. */
    public synchronized void stop() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    /** JWKS fetch attempts so far, failed ones included. */
    public long fetchCount() {
        return fetchCount.get();
    }

    /**
     * The keys held, without waiting when there are any. Fetched here only while none are held
     * (first use, or every fetch so far failed), then at most once per minRefetchSeconds. Empty
     * while the JWKS has never been had.
     */
    public List<WebhookPublicKey> keys() {
        KeySet set = current;
        if (set != null && (!set.keys().isEmpty() || !retryDue(set))) {
            return set.keys();
        }
        synchronized (fetchLock) {
            set = current;
            if (set == null || (set.keys().isEmpty() && retryDue(set))) {
                set = load(set);
            }
            return set.keys();
        }
    }

    /**
     * Called when no key in {@code seen} (the list {@link #keys()} returned) verified a delivery.
     * Fetches again only if {@code seen} is still the held set and the last attempt was at least
     * minRefetchSeconds ago; the lock makes concurrent callers share that one fetch.
     */
    public List<WebhookPublicKey> refreshAfterMiss(List<WebhookPublicKey> seen) {
        synchronized (fetchLock) {
            KeySet set = current;
            if (set == null) {
                return load(null).keys();
            }
            if (set.keys() != seen || !retryDue(set)) {
                return set.keys();
            }
            return load(set).keys();
        }
    }

    /**
     * The background task's step: fetches a held set again once it is 3/4 of maxAgeSeconds old,
     * then (while fetches fail) once per minRefetchSeconds. True if it fetched.
     */
    boolean refreshIfDue() {
        synchronized (fetchLock) {
            KeySet set = current;
            if (set == null || set.keys().isEmpty() || !retryDue(set)
                    || ticker.getAsLong() - set.keysFetchedAt() < maxAgeNanos / 4 * 3) {
                return false;
            }
            KeySet next = load(set);
            if (next.keysFetchedAt() == set.keysFetchedAt() && next.attemptedAt() - set.keysFetchedAt() >= maxAgeNanos) {
                LOG.warn("JWKS refresh failed; keys fetched {} s ago are kept until a refresh succeeds",
                        TimeUnit.NANOSECONDS.toSeconds(next.attemptedAt() - set.keysFetchedAt()));
            }
            return true;
        }
    }

    private void refreshQuietly() {
        try {
            refreshIfDue();
        } catch (RuntimeException e) {
            // an exception would end the schedule; the next period tries again
            LOG.warn("JWKS background refresh failed: {}", e.getClass().getSimpleName());
        }
    }

    private boolean retryDue(KeySet set) {
        return ticker.getAsLong() - set.attemptedAt() >= minRefetchNanos;
    }

    private String url() {
        String url = jwksUrl;
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("jwksUrl is not set");
        }
        return url;
    }

    /** One fetch attempt, under fetchLock; the keys held are kept when it fails. */
    private KeySet load(KeySet previous) {
        long now = ticker.getAsLong();
        fetchCount.incrementAndGet();
        List<WebhookPublicKey> fetched = fetcher().fetch(url());
        KeySet next;
        if (fetched != null) {
            next = new KeySet(fetched, now, now);
        } else if (previous != null && !previous.keys().isEmpty()) {
            next = new KeySet(previous.keys(), previous.keysFetchedAt(), now);
        } else {
            // A fresh list instance per attempt: refreshAfterMiss compares sets by identity.
            next = new KeySet(Collections.unmodifiableList(new ArrayList<>(0)), now, now);
        }
        current = next;
        return next;
    }

    private JwksFetcher fetcher() {
        if (fetcher == null) {
            fetcher = new JwksFetcher(new JwksUrlPolicy(allowHttp), connectTimeoutMillis, readTimeoutMillis,
                    maxBytes, maxKeys, maxRedirects);
        }
        return fetcher;
    }

    /**
     * One fetch outcome. {@code keysFetchedAt} dates the keys (refreshed from 3/4 of maxAge after
     * it); {@code attemptedAt} dates the last fetch attempt, which throttles refetches.
     */
    private record KeySet(List<WebhookPublicKey> keys, long keysFetchedAt, long attemptedAt) {
    }
}
