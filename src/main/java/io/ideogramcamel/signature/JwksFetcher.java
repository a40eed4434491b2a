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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bounded GET of a JWKS document: timeouts on connect and on the whole answer, the body capped
 * in bytes as it arrives, at most maxKeys entries, redirects followed by hand and only to the
 * configured host (never https to http). Any failure gives null and one log line that names the
 * URL and the kind of failure, never key material or what the server sent.
 */
final class JwksFetcher {

    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JwksUrlPolicy policy;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final int maxBytes;
    private final int maxKeys;
    private final int maxRedirects;
    private final HttpClient client;

    JwksFetcher(JwksUrlPolicy policy, int connectTimeoutMillis, int readTimeoutMillis, int maxBytes, int maxKeys,
            int maxRedirects) {
        this.policy = policy;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
        this.maxBytes = maxBytes;
        this.maxKeys = maxKeys;
        this.maxRedirects = maxRedirects;
        // Redirect.NEVER: HttpClient's own following would go to any host.
        this.client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(connectTimeoutMillis))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The usable keys, or null when the fetch failed in any way. */
    List<WebhookPublicKey> fetch(String url) {
        try {
            URI origin = URI.create(url);
            String refusal = policy.refusal(origin);
            if (refusal != null) {
                LOG.warn("JWKS fetch from {} refused: {}", url, refusal);
                return null;
            }
            byte[] body = followSameHost(origin);
            return body == null ? null : keys(url, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (TimeoutException e) {
            LOG.warn("JWKS fetch from {} timed out", url);
            return null;
        } catch (ExecutionException | IOException | IllegalArgumentException e) {
            logFailure(url, e);
            return null;
        }
    }

    /** Our own refusals (too large, too many keys) carry a fixed message; anything else only its type. */
    private static void logFailure(String url, Exception failure) {
        Throwable cause = failure instanceof ExecutionException && failure.getCause() != null ? failure.getCause() : failure;
        for (Throwable link = cause; link != null; link = link.getCause()) {
            if (link instanceof BoundedBody.TooLargeException || link instanceof TooManyKeysException) {
                LOG.warn("JWKS from {} refused: {}", url, link.getMessage());
                return;
            }
        }
        LOG.warn("JWKS fetch from {} failed: {}", url, cause.getClass().getSimpleName());
    }

    /** The 200 body at {@code origin}, after at most maxRedirects redirects on its host; else null. */
    private byte[] followSameHost(URI origin) throws InterruptedException, ExecutionException, TimeoutException {
        URI at = origin;
        for (int hop = 0; hop <= maxRedirects; hop++) {
            HttpResponse<byte[]> response = get(at);
            int status = response.statusCode();
            if (status == 200) {
                return response.body();
            }
            if (status < 300 || status > 399 || response.headers().firstValue("Location").isEmpty()) {
                LOG.warn("JWKS fetch from {} answered HTTP {}", origin, status);
                return null;
            }
            // The Location is not logged: it is the server's text.
            URI next = at.resolve(response.headers().firstValue("Location").get());
            String refusal = policy.redirectRefusal(origin, at, next);
            if (refusal != null) {
                LOG.warn("JWKS fetch from {} refused a redirect: {}", origin, refusal);
                return null;
            }
            at = next;
        }
        LOG.warn("JWKS fetch from {} refused: more than {} redirects", origin, maxRedirects);
        return null;
    }

    private HttpResponse<byte[]> get(URI uri) throws InterruptedException, ExecutionException, TimeoutException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMillis(readTimeoutMillis))
                .header("Accept", "application/json")
                .GET()
                .build();
        Future<HttpResponse<byte[]>> pending = client.sendAsync(request, BoundedBody.handler(maxBytes));
        try {
            // The request timeout stops at the response headers; this bounds the body as well.
            return pending.get((long) connectTimeoutMillis + readTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException | TimeoutException e) {
            pending.cancel(true);
            throw e;
        }
    }

    private List<WebhookPublicKey> keys(String url, byte[] body) throws IOException {
        List<WebhookPublicKey> keys = parse(body, maxKeys);
        if (keys.isEmpty()) {
            LOG.warn("JWKS from {} holds no usable Ed25519 key", url);
            return null;
        }
        LOG.info("Fetched {} Ed25519 webhook key(s) from {}: kids {}", keys.size(), url,
                keys.stream().map(WebhookPublicKey::kid).toList());
        return Collections.unmodifiableList(keys);
    }

    /**
     * The Ed25519 signing keys in a JWKS document; entries of any other kind are skipped. More than
     * {@code maxKeys} entries of any kind is a failure: Ideogram publishes a handful.
     */
    static List<WebhookPublicKey> parse(byte[] json, int maxKeys) throws IOException {
        JsonNode keys = JSON.readTree(json).path("keys");
        if (!keys.isArray()) {
            throw new IOException("no keys array");
        }
        if (keys.size() > maxKeys) {
            throw new TooManyKeysException(maxKeys);
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

    /** The document lists more keys than allowed. */
    static final class TooManyKeysException extends IOException {
        TooManyKeysException(int maxKeys) {
            super("more than " + maxKeys + " keys", null);
        }
    }
}
