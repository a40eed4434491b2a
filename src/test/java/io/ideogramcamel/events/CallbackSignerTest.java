package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.testing.StandardWebhooksJs;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class CallbackSignerTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String OLD = "whsec_" + java.util.Base64.getEncoder().encodeToString(
            "an older secret, 32 bytes long!!".getBytes(StandardCharsets.US_ASCII));

    @Test
    void theStandardWebhooksReferenceVerifiesWithEitherSecretDuringARotation() throws Exception {
        CallbackSigner signer = new CallbackSigner();
        signer.setSecret(SECRET);
        signer.setPreviousSecret(OLD);
        String body = EventRows.envelope("evt_sign", "generation.failed");
        Exchange exchange = exchange("evt_sign", body);

        signer.sign(exchange);

        Map<String, String> headers = Map.of(
                "webhook-id", exchange.getMessage().getHeader("webhook-id", String.class),
                "webhook-timestamp", exchange.getMessage().getHeader("webhook-timestamp", String.class),
                "webhook-signature", exchange.getMessage().getHeader("webhook-signature", String.class));
        assertThat(headers.get("webhook-id")).isEqualTo("evt_sign");
        assertThat(headers.get("webhook-signature").split(" ")).hasSize(2);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThat(StandardWebhooksJs.verify(SECRET, headers, bytes)).isTrue();
        assertThat(StandardWebhooksJs.verify(OLD, headers, bytes)).isTrue();
        assertThat(StandardWebhooksJs.verify(SECRET, headers, (body + " ").getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void theSignatureIsTheReferencesOwnForTheSameIdTimestampAndBody() {
        CallbackSigner signer = new CallbackSigner();
        signer.setSecret(SECRET);
        signer.setClock(Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC));
        String body = EventRows.envelope("evt_same", "generation.completed");
        Exchange exchange = exchange("evt_same", body);

        signer.sign(exchange);

        assertThat(exchange.getMessage().getHeader("webhook-timestamp")).isEqualTo("1700000000");
        assertThat(exchange.getMessage().getHeader("webhook-signature")).isEqualTo(StandardWebhooksJs.sign(SECRET,
                "evt_same", 1_700_000_000L, body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void webhookUrlsWithoutASecretRefuseTheStartWithoutEchoingAnything() {
        CallbackSigner signer = new CallbackSigner();
        signer.setWebhookUrls("https://hooks.example.com/in?token=t0ken");

        assertThatThrownBy(signer::check).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("events.signing-secret").hasMessageNotContaining("t0ken");
        assertThat(signer.isConfigured()).isFalse();

        CallbackSigner none = new CallbackSigner();
        none.setWebhookUrls("");
        none.check(); // no callbacks configured: nothing to refuse
    }

    @Test
    void aMalformedSecretIsRefusedWithoutRepeatingIt() {
        CallbackSigner signer = new CallbackSigner();
        assertThatThrownBy(() -> signer.setSecret("whsec_not base64 !!")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("events.signing-secret is not whsec_ followed by base64");
    }

    private static Exchange exchange(String eventId, String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(GenerationExchange.EVENT_CLAIM, new DeliveryClaim(1, eventId, "generation.completed",
                "callback_url", EventDestinations.Kind.CALLBACK, 0, body, "w:1", "https://x.example/cb"));
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
