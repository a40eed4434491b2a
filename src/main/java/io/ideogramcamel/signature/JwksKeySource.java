package io.ideogramcamel.signature;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ideogram's webhook signing keys, fetched from the JWKS URL on first use and cached. A failed
 * fetch is cached as well (for minRefetchSeconds), and a refetch after a verification miss happens
 * at most once per minRefetchSeconds, so a stream of forged deliveries cannot turn into a stream
 * of JWKS requests. A plain setter-configured bean so YAML {@code beans:}, JBang and Camel K can
 * all create it; nothing is fetched at construction, so a start with the JWKS unreachable works.
 */
public class JwksKeySource {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    // A key set is a few hundred bytes; the cap only stops a misbehaving endpoint filling the heap.
    private static final int MAX_JWKS_BYTES = 256 * 1024;

    private final Ticker ticker;
    private final Cache<String, KeySet> cache;
    private final AtomicLong fetchCount = new AtomicLong();

    private volatile String jwksUrl;
    private volatile long minRefetchNanos = TimeUnit.SECONDS.toNanos(30);
    private volatile long maxAgeNanos = TimeUnit.SECONDS.toNanos(86_400);
    private volatile int connectTimeoutMillis = 2_000;
    private volatile int readTimeoutMillis = 5_000;
    private HttpClient client;

    public JwksKeySource() {
        this(Ticker.systemTicker());
    }

    JwksKeySource(Ticker ticker) {
        this.ticker = ticker;
        // Runnable::run: maintenance inline, so expiry follows the ticker without a background pool.
        this.cache = Caffeine.newBuilder().ticker(ticker).executor(Runnable::run).expireAfter(new KeySetExpiry()).build();
    }

    public void setJwksUrl(String jwksUrl) {
        this.jwksUrl = jwksUrl;
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

    /** JWKS fetch attempts so far, failed ones included. */
    public long fetchCount() {
        return fetchCount.get();
    }

    /** The current keys; fetched on first use or after expiry; empty while the JWKS cannot be had. */
    public List<WebhookPublicKey> keys() {
        return cache.get(url(), u -> load(u, null)).keys();
    }

    /**
     * Called when no key in {@code seen} (the list {@link #keys()} returned) verified a delivery.
     * Fetches again only if {@code seen} is still the cached set and was fetched at least
     * minRefetchSeconds ago; compute() makes concurrent callers share that one fetch. When the
     * refetch fails the keys already held are kept: an outage of the JWKS endpoint must not turn
     * away genuine deliveries signed by a key we have.
     */
    public List<WebhookPublicKey> refreshAfterMiss(List<WebhookPublicKey> seen) {
        return cache.asMap().compute(url(), (u, current) -> {
            if (current == null) {
                return load(u, null);
            }
            if (current.keys() != seen || ticker.read() - current.attemptedAt() < minRefetchNanos) {
                return current;
            }
            return load(u, current);
        }).keys();
    }

    private String url() {
        String url = jwksUrl;
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("jwksUrl is not set");
        }
        return url;
    }

    private KeySet load(String url, KeySet previous) {
        long now = ticker.read();
        fetchCount.incrementAndGet();
        List<WebhookPublicKey> fetched = fetch(url);
        if (fetched != null) {
            return new KeySet(fetched, now, now, false);
        }
        if (previous != null && !previous.keys().isEmpty()) {
            return new KeySet(previous.keys(), previous.keysFetchedAt(), now, true);
        }
        // A fresh list instance per attempt: refreshAfterMiss compares sets by identity.
        return new KeySet(Collections.unmodifiableList(new ArrayList<>(0)), now, now, true);
    }

    /** The usable keys, or null when the fetch failed in any way (logged without key material). */
    private List<WebhookPublicKey> fetch(String url) {
        Future<HttpResponse<byte[]>> pending = null;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMillis(readTimeoutMillis))
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            pending = client().sendAsync(request, JwksKeySource::boundedBody);
            // The request timeout stops at the response headers; this bounds the body as well.
            HttpResponse<byte[]> response = pending.get((long) connectTimeoutMillis + readTimeoutMillis, TimeUnit.MILLISECONDS);
            if (response.statusCode() != 200) {
                LOG.warn("JWKS fetch from {} answered HTTP {}", url, response.statusCode());
                return null;
            }
            if (response.body() == null || response.body().length > MAX_JWKS_BYTES) {
                LOG.warn("JWKS from {} is larger than {} bytes", url, MAX_JWKS_BYTES);
                return null;
            }
            List<WebhookPublicKey> keys = parse(response.body());
            if (keys.isEmpty()) {
                LOG.warn("JWKS from {} holds no usable Ed25519 key", url);
                return null;
            }
            LOG.info("Fetched {} Ed25519 webhook key(s) from {}: kids {}", keys.size(), url,
                    keys.stream().map(WebhookPublicKey::kid).toList());
            return Collections.unmodifiableList(keys);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(pending);
            return null;
        } catch (TimeoutException e) {
            cancel(pending);
            LOG.warn("JWKS fetch from {} timed out", url);
            return null;
        } catch (ExecutionException | IOException | IllegalArgumentException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("JWKS fetch from {} failed: {}", url, cause.getClass().getSimpleName());
            return null;
        }
    }

    private static HttpResponse.BodySubscriber<byte[]> boundedBody(HttpResponse.ResponseInfo info) {
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        return declared > MAX_JWKS_BYTES ? HttpResponse.BodySubscribers.replacing(null) : HttpResponse.BodySubscribers.ofByteArray();
    }

    private static void cancel(Future<?> pending) {
        if (pending != null) {
            pending.cancel(true);
        }
    }

    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        return client;
    }

    /** The Ed25519 signing keys in a JWKS document; entries of any other kind are skipped. */
    static List<WebhookPublicKey> parse(byte[] json) throws IOException {
        JsonNode keys = JSON.readTree(json).path("keys");
        if (!keys.isArray()) {
            throw new IOException("no keys array");
        }
        List<WebhookPublicKey> result = new ArrayList<>(keys.size());
        for (JsonNode jwk : keys) {
            WebhookPublicKey key = toKey(jwk);
            if (key != null) {
                result.add(key);
            }
        }
        return result;
    }

    private static WebhookPublicKey toKey(JsonNode jwk) {
        String use = text(jwk, "use");
        String x = text(jwk, "x");
        if (!"OKP".equals(text(jwk, "kty")) || !"Ed25519".equals(text(jwk, "crv")) || x == null
                || (use != null && !"sig".equals(use))) {
            return null;
        }
        try {
            return WebhookPublicKey.of(text(jwk, "kid"), Base64.getUrlDecoder().decode(x));
        } catch (IllegalArgumentException notBase64Url) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /**
     * One fetch outcome. {@code keysFetchedAt} dates the keys (they expire maxAge after it);
     * {@code attemptedAt} dates the last fetch attempt, which throttles refetches.
     */
    private record KeySet(List<WebhookPublicKey> keys, long keysFetchedAt, long attemptedAt, boolean failed) {
    }

    // Deadlines are anchored on the record's own times, so it does not matter whether Caffeine
    // counts a compute() that returned the same entry as an update or as a read.
    private final class KeySetExpiry implements Expiry<String, KeySet> {

        @Override
        public long expireAfterCreate(String url, KeySet set, long now) {
            return remaining(set, now);
        }

        @Override
        public long expireAfterUpdate(String url, KeySet set, long now, long currentDuration) {
            return remaining(set, now);
        }

        @Override
        public long expireAfterRead(String url, KeySet set, long now, long currentDuration) {
            return currentDuration;
        }

        private long remaining(KeySet set, long now) {
            long deadline = set.failed() && set.keys().isEmpty()
                    ? set.attemptedAt() + minRefetchNanos
                    : set.keysFetchedAt() + maxAgeNanos;
            return Math.max(0, deadline - now);
        }
    }
}
