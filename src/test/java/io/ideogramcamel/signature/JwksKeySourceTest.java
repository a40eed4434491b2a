package io.ideogramcamel.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwksKeySourceTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);
    private JwksServer jwks;
    private JwksKeySource source;

    @BeforeEach
    void start() throws IOException {
        jwks = new JwksServer();
        jwks.addKey("v1");
        source = new JwksKeySource(nanos::get);
        source.setJwksUrl(jwks.url());
        source.setMinRefetchSeconds(30);
        source.setMaxAgeSeconds(3_600);
    }

    @AfterEach
    void stop() {
        jwks.close();
    }

    @Test
    void fetchesLazilyOnFirstUseAndServesFromTheCacheAfterwards() {
        assertThat(source.fetchCount()).isZero();
        assertThat(jwks.requests()).isZero();

        List<WebhookPublicKey> keys = source.keys();

        assertThat(keys).extracting(WebhookPublicKey::kid).containsExactly("v1");
        assertThat(keys.get(0).x()).isEqualTo(jwks.publicKey("v1"));
        for (int i = 0; i < 100; i++) {
            assertThat(source.keys()).isSameAs(keys);
        }
        assertThat(jwks.requests()).isEqualTo(1);
        assertThat(source.fetchCount()).isEqualTo(1);
    }

    @Test
    void skipsEntriesThatAreNotEd25519SigningKeysOf32Bytes() {
        byte[] valid = jwks.publicKey("v1");
        String x = b64(valid);
        jwks.body("{\"keys\":["
                + "{\"kty\":\"RSA\",\"kid\":\"rsa\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x25519\",\"x\":\"" + x + "\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed448\",\"kid\":\"ed448\",\"x\":\"" + x + "\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"short\",\"x\":\"" + b64(new byte[31]) + "\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"long\",\"x\":\"" + b64(new byte[33]) + "\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"notb64\",\"x\":\"***\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"nox\"},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"numx\",\"x\":42},"
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"enc\",\"kid\":\"enc\",\"x\":\"" + x + "\"},"
                + "\"not an object\","
                + "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"sig\",\"alg\":\"EdDSA\",\"kid\":\"v1\",\"x\":\"" + x + "\"}"
                + "]}");

        assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactly("v1");
    }

    @Test
    void aFailedFetchGivesNoKeysAndIsCachedForTheRefetchInterval() {
        jwks.status(500);

        assertThat(source.keys()).isEmpty();
        for (int i = 0; i < 1_000; i++) {
            assertThat(source.refreshAfterMiss(source.keys())).isEmpty();
        }
        assertThat(jwks.requests()).isEqualTo(1);

        jwks.status(200);
        nanos.addAndGet(30 * SECOND);
        assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactly("v1");
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void badJsonAndDocumentsWithoutUsableKeysCountAsFailures() {
        for (String body : List.of("{not json", "[]", "{\"keys\":{}}", "{\"keys\":[]}",
                "{\"keys\":[{\"kty\":\"RSA\"}]}")) {
            JwksKeySource fresh = new JwksKeySource(nanos::get);
            fresh.setJwksUrl(jwks.url());
            jwks.body(body);
            assertThat(fresh.keys()).as(body).isEmpty();
            assertThat(fresh.keys()).as(body).isEmpty();
            assertThat(fresh.fetchCount()).as(body).isEqualTo(1);
        }
    }

    @Test
    void refetchesAfterAMissOnlyOncePerIntervalAndOnlyForTheCurrentSet() {
        List<WebhookPublicKey> first = source.keys();
        jwks.addKey("v2");

        assertThat(source.refreshAfterMiss(first)).isSameAs(first);
        assertThat(jwks.requests()).isEqualTo(1);

        nanos.addAndGet(30 * SECOND);
        List<WebhookPublicKey> second = source.refreshAfterMiss(first);
        assertThat(second).extracting(WebhookPublicKey::kid).containsExactlyInAnyOrder("v1", "v2");
        assertThat(jwks.requests()).isEqualTo(2);

        // A caller still holding the old set gets the new one, not another fetch.
        nanos.addAndGet(60 * SECOND);
        assertThat(source.refreshAfterMiss(first)).isSameAs(second);
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void concurrentMissesShareOneFetch() throws Exception {
        List<WebhookPublicKey> first = source.keys();
        nanos.addAndGet(31 * SECOND);
        jwks.delayMillis(200);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<WebhookPublicKey>>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return source.refreshAfterMiss(first);
                }));
            }
            go.countDown();
            List<WebhookPublicKey> refreshed = results.get(0).get(10, TimeUnit.SECONDS);
            for (Future<List<WebhookPublicKey>> result : results) {
                assertThat(result.get(10, TimeUnit.SECONDS)).isSameAs(refreshed);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(jwks.requests()).isEqualTo(2);
        assertThat(source.fetchCount()).isEqualTo(2);
    }

    @Test
    void aFailedRefetchKeepsTheKeysAlreadyHeld() {
        List<WebhookPublicKey> first = source.keys();
        jwks.status(503);
        nanos.addAndGet(30 * SECOND);

        assertThat(source.refreshAfterMiss(first)).isSameAs(first);
        assertThat(source.keys()).isSameAs(first);
        // The failed attempt still throttles: no new attempt until the interval has passed again.
        assertThat(source.refreshAfterMiss(first)).isSameAs(first);
        assertThat(jwks.requests()).isEqualTo(2);

        nanos.addAndGet(30 * SECOND);
        source.refreshAfterMiss(first);
        assertThat(jwks.requests()).isEqualTo(3);
    }

    @Test
    void aHeldSetIsRefreshedAheadFromThreeQuartersOfMaxAgeWithoutACallerWaiting() {
        List<WebhookPublicKey> first = source.keys();
        jwks.addKey("v2");

        nanos.addAndGet(2_699 * SECOND);
        assertThat(source.refreshIfDue()).isFalse();
        assertThat(source.keys()).isSameAs(first);
        assertThat(jwks.requests()).isEqualTo(1);

        nanos.addAndGet(SECOND);
        assertThat(source.refreshIfDue()).isTrue();
        assertThat(jwks.requests()).isEqualTo(2);
        // keys() itself never fetched: it serves what the refresh brought
        assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactlyInAnyOrder("v1", "v2");
        assertThat(jwks.requests()).isEqualTo(2);
        assertThat(source.refreshIfDue()).isFalse();
    }

    @Test
    void theBackgroundTaskRefreshesAheadOnItsOwn() throws InterruptedException {
        source.setMinRefetchSeconds(1);
        source.start();
        try {
            source.keys();
            jwks.addKey("v2");
            nanos.addAndGet(2_700 * SECOND);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            // keys() never fetches while keys are held, so only the background task can bring v2
            while (source.keys().size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }

            assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactlyInAnyOrder("v1", "v2");
            assertThat(jwks.requests()).isEqualTo(2);
        } finally {
            source.stop();
        }
    }

    @Test
    void keysAreKeptWhenARefreshFailsAfterMaxAgeAndReplacedWhenOneSucceeds() {
        List<WebhookPublicKey> first = source.keys();
        jwks.status(503);
        nanos.addAndGet(3_601 * SECOND);

        assertThat(source.refreshIfDue()).isTrue();
        assertThat(source.keys()).isSameAs(first);
        assertThat(source.refreshAfterMiss(first)).isSameAs(first);
        assertThat(jwks.requests()).isEqualTo(2);

        // retried once per min-refetch interval, still keeping the keys
        assertThat(source.refreshIfDue()).isFalse();
        nanos.addAndGet(30 * SECOND);
        assertThat(source.refreshIfDue()).isTrue();
        assertThat(source.keys()).isSameAs(first);
        assertThat(jwks.requests()).isEqualTo(3);

        jwks.status(200);
        jwks.addKey("v2");
        nanos.addAndGet(30 * SECOND);
        assertThat(source.refreshIfDue()).isTrue();
        assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void plainHttpToANonLoopbackHostIsRefusedAtStartUnlessAllowed() {
        JwksKeySource remote = new JwksKeySource(nanos::get);
        remote.setJwksUrl("http://jwks.example.com/v1/.well-known/jwks.json");

        assertThatThrownBy(remote::start)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ideogram.jwks.allow-http=true")
                .hasMessageNotContaining("\n");
        // and refused without a connection should the bean be used unstarted
        assertThat(remote.keys()).isEmpty();

        remote.setAllowHttp(true);
        remote.start();
        remote.stop();
        assertThat(remote.fetchCount()).isEqualTo(1);

        JwksKeySource secure = new JwksKeySource(nanos::get);
        secure.setJwksUrl("https://jwks.example.com/v1/.well-known/jwks.json");
        secure.start();
        secure.stop();
        assertThat(secure.fetchCount()).isZero();
    }

    @Test
    void plainHttpToALoopbackHostNeedsNoFlag() {
        for (String host : List.of("127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]")) {
            JwksKeySource local = new JwksKeySource(nanos::get);
            local.setJwksUrl("http://" + host + ":1/jwks.json");
            local.start();
            local.stop();
        }
        for (String host : List.of("128.0.0.1", "localhost.example.com", "[::2]", "10.0.0.1")) {
            JwksKeySource remote = new JwksKeySource(nanos::get);
            remote.setJwksUrl("http://" + host + ":1/jwks.json");
            assertThatThrownBy(remote::start).as(host).isInstanceOf(IllegalArgumentException.class);
        }
        // the fetch itself stays on loopback: the test server is reached without the flag
        assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactly("v1");
    }

    @Test
    void anOversizedChunkedAnswerCountsAsAFailedFetch() {
        jwks.chunked(true);
        String key = "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"v1\",\"x\":\"" + b64(jwks.publicKey("v1")) + "\"}";
        jwks.body("{\"keys\":[" + key + "],\"pad\":\"" + "x".repeat(64 * 1024) + "\"}");

        assertThat(source.keys()).isEmpty();
        assertThat(source.fetchCount()).isEqualTo(1);

        // the same document under the cap, also chunked, is fine: it was the size
        jwks.body("{\"keys\":[" + key + "],\"pad\":\"" + "x".repeat(60 * 1024) + "\"}");
        nanos.addAndGet(30 * SECOND);
        assertThat(source.keys()).extracting(WebhookPublicKey::kid).containsExactly("v1");
    }

    @Test
    void aLargerDeclaredAnswerIsRefusedBeforeItIsRead() {
        source.setMaxBytes(100);
        assertThat(source.keys()).isEmpty();
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void moreThanTwentyKeysCountAsAFailedFetch() {
        for (int i = 2; i <= 20; i++) {
            jwks.addKey("v" + i);
        }
        assertThat(source.keys()).hasSize(20);

        jwks.addKey("v21");
        JwksKeySource fresh = new JwksKeySource(nanos::get);
        fresh.setJwksUrl(jwks.url());
        assertThat(fresh.keys()).isEmpty();
        assertThat(fresh.fetchCount()).isEqualTo(1);
    }

    @Test
    void aRedirectIsFollowedOnTheSameHostOnly() {
        int port = jwks.port();
        jwks.redirectTo("/jwks.json");
        JwksKeySource sameHost = new JwksKeySource(nanos::get);
        sameHost.setJwksUrl("http://127.0.0.1:" + port + "/moved");
        assertThat(sameHost.keys()).extracting(WebhookPublicKey::kid).containsExactly("v1");
        assertThat(jwks.requests()).isEqualTo(1);

        // localhost is the same machine, but not the host the URL names
        jwks.redirectTo("http://localhost:" + port + "/jwks.json");
        JwksKeySource otherHost = new JwksKeySource(nanos::get);
        otherHost.setJwksUrl("http://127.0.0.1:" + port + "/moved");
        assertThat(otherHost.keys()).isEmpty();
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void aRedirectLoopEndsAfterMaxRedirects() {
        jwks.redirectTo("/moved");
        JwksKeySource looping = new JwksKeySource(nanos::get);
        looping.setJwksUrl("http://127.0.0.1:" + jwks.port() + "/moved");
        looping.setMaxRedirects(3);

        assertThat(looping.keys()).isEmpty();
        assertThat(jwks.redirects()).isEqualTo(4);
    }

    @Test
    void aRedirectFromHttpsToHttpIsRefusedEvenWhenHttpIsAllowed() {
        JwksUrlPolicy policy = new JwksUrlPolicy(true);
        URI origin = URI.create("https://api.ideogram.ai/v1/.well-known/jwks.json");

        assertThat(policy.redirectRefusal(origin, origin, URI.create("http://api.ideogram.ai/jwks.json"))).isNotNull();
        assertThat(policy.redirectRefusal(origin, origin, URI.create("https://evil.example/jwks.json"))).isNotNull();
        assertThat(policy.redirectRefusal(origin, origin, URI.create("https://API.ideogram.ai/keys"))).isNull();
    }

    @Test
    void anUnreachableJwksGivesNoKeysWithoutThrowing() throws IOException {
        JwksKeySource unreachable = new JwksKeySource();
        unreachable.setJwksUrl("http://127.0.0.1:" + closedPort() + "/jwks.json");
        unreachable.setConnectTimeoutMillis(500);
        assertThat(unreachable.fetchCount()).isZero();

        assertThat(unreachable.keys()).isEmpty();
        assertThat(unreachable.refreshAfterMiss(unreachable.keys())).isEmpty();
        assertThat(unreachable.fetchCount()).isEqualTo(1);
    }

    @Test
    void aJwksThatDoesNotAnswerInTimeGivesNoKeys() {
        JwksKeySource impatient = new JwksKeySource(nanos::get);
        impatient.setJwksUrl(jwks.url());
        impatient.setConnectTimeoutMillis(200);
        impatient.setReadTimeoutMillis(200);
        jwks.delayMillis(5_000);

        long started = System.nanoTime();
        assertThat(impatient.keys()).isEmpty();
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(3));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A JWKS over real HTTP on loopback, with the private keys to sign with and a request counter. */
    static final class JwksServer implements AutoCloseable {

        private static final SecureRandom RANDOM = new SecureRandom();

        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool();
        private final Map<String, byte[]> privateKeys = new LinkedHashMap<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger redirects = new AtomicInteger();
        private volatile boolean chunked;
        private volatile String redirectLocation = "/jwks.json";
        private final CountDownLatch closing = new CountDownLatch(1);
        private volatile int status = 200;
        private volatile String body;
        private volatile long delayMillis;

        JwksServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(executor);
            server.createContext("/jwks.json", exchange -> {
                requests.incrementAndGet();
                try {
                    if (delayMillis > 0 && closing.await(delayMillis, TimeUnit.MILLISECONDS)) {
                        exchange.close();
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] bytes = (status == 200 ? json() : "{\"error\":\"down\"}").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                // length 0: chunked, no Content-Length
                exchange.sendResponseHeaders(status, chunked ? 0 : bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            });
            server.createContext("/moved", exchange -> {
                redirects.incrementAndGet();
                exchange.getResponseHeaders().add("Location", redirectLocation);
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        int redirects() {
            return redirects.get();
        }

        /** /moved answers 302 to this location. */
        void redirectTo(String location) {
            this.redirectLocation = location;
        }

        /** Answers without a Content-Length. */
        void chunked(boolean chunked) {
            this.chunked = chunked;
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
        }

        int requests() {
            return requests.get();
        }

        void status(int status) {
            this.status = status;
        }

        /** Serves exactly this document instead of the key list. */
        void body(String body) {
            this.body = body;
        }

        void delayMillis(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        synchronized void addKey(String kid) {
            byte[] sk = new byte[Ed25519.SECRET_KEY_SIZE];
            Ed25519.generatePrivateKey(RANDOM, sk);
            privateKeys.put(kid, sk);
        }

        synchronized byte[] privateKey(String kid) {
            return privateKeys.get(kid);
        }

        byte[] publicKey(String kid) {
            return JwksServer.publicKeyOf(privateKey(kid));
        }

        static byte[] newPrivateKey() {
            byte[] sk = new byte[Ed25519.SECRET_KEY_SIZE];
            Ed25519.generatePrivateKey(RANDOM, sk);
            return sk;
        }

        static byte[] publicKeyOf(byte[] privateKey) {
            byte[] pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(privateKey, 0, pk, 0);
            return pk;
        }

        private synchronized String json() {
            if (body != null) {
                return body;
            }
            StringBuilder json = new StringBuilder("{\"keys\":[");
            String separator = "";
            for (Map.Entry<String, byte[]> key : privateKeys.entrySet()) {
                json.append(separator).append("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"sig\",\"alg\":\"EdDSA\",\"kid\":\"")
                        .append(key.getKey()).append("\",\"x\":\"").append(b64(publicKeyOf(key.getValue()))).append("\"}");
                separator = ",";
            }
            return json.append("]}").toString();
        }

        @Override
        public void close() {
            closing.countDown();
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
