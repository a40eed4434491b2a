package io.ideogramcamel.provider;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ideogramcamel.standin.WebhookSigner;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Standard Webhooks sender that signs with Ed25519 (v1a) only: a whpk_ public key and no secret
 * is enough to start the route, and only v1a signatures by the matching key are accepted.
 */
class StandardPublicKeyOnlyTest extends BundleTestSupport {

    private final byte[] secretKey = WebhookSigner.newSecretKey();

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-standard-v1a-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("providers.standard.public-key",
                "whpk_" + Base64.getEncoder().encodeToString(WebhookSigner.publicKeyOf(secretKey)));
    }

    @Test
    void aPublicKeyAloneTurnsTheRouteOnAndOnlyItsSignaturesPass() {
        String msgId = "msg_v1a_" + WebhookSigner.randomId(9).replace('-', 'x').replace('_', 'y');
        byte[] body = "{\"id\":\"v1aprediction\",\"status\":\"processing\",\"output\":null}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> signed = Http.post(baseUrl() + "/webhooks/standard", headers(secretKey, msgId, body), body);
        HttpResponse<String> otherKey = Http.post(baseUrl() + "/webhooks/standard",
                headers(WebhookSigner.newSecretKey(), msgId + "b", body), body);

        assertThat(signed.statusCode()).isEqualTo(200);
        assertThat(signed.body()).isEqualTo("{\"status\":\"recorded\"}");
        assertThat(otherKey.statusCode()).isEqualTo(401);
        assertThat(otherKey.body()).isEqualTo("{\"error\":\"invalid_signature\"}");
    }

    private static Map<String, String> headers(byte[] key, String msgId, byte[] body) {
        long timestamp = System.currentTimeMillis() / 1000;
        byte[] head = (msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[head.length + body.length];
        System.arraycopy(head, 0, content, 0, head.length);
        System.arraycopy(body, 0, content, head.length, body.length);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(key, 0, content, 0, content.length, signature, 0);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", msgId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", "v1a," + Base64.getEncoder().encodeToString(signature));
        return headers;
    }
}
