package io.ideogramcamel.events;

import java.nio.charset.StandardCharsets;
import java.time.Clock;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.StandardWebhooksSignature;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Signs an outgoing callback the Standard Webhooks way: {@code webhook-id} (the event id, the same on
 * every retry), {@code webhook-timestamp} (Unix seconds, now) and {@code webhook-signature}
 * ({@code v1,<base64 HMAC-SHA256 of "id.timestamp.body">}), with a second space-separated signature
 * from the previous secret during a rotation, so receivers holding either secret verify.
 *
 * <p>The secrets are never logged nor put in an exception message.
 */
public class CallbackSigner {

    private volatile byte[] secret;
    private volatile byte[] previousSecret;
    private String webhookUrls = "";
    private Clock clock = Clock.systemUTC();

    /** {@code whsec_<base64>}; blank: no callbacks can be signed. */
    public void setSecret(String secret) {
        this.secret = bytesOf(secret, "events.signing-secret");
    }

    /** The secret before a rotation, also signed with until receivers have the new one; blank: none. */
    public void setPreviousSecret(String previousSecret) {
        this.previousSecret = bytesOf(previousSecret, "events.signing-secret-previous");
    }

    /** events.webhook-urls, only to refuse a start that would send unsigned callbacks. */
    public void setWebhookUrls(String webhookUrls) {
        this.webhookUrls = webhookUrls == null ? "" : webhookUrls;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    /** The bean's init method: global callbacks without a secret would all end dead; refuse to start. */
    public void check() {
        if (!webhookUrls.isBlank() && secret == null) {
            throw new IllegalStateException("events.webhook-urls is set but events.signing-secret is empty: callbacks "
                    + "are always signed. Set EVENTS_SIGNING_SECRET (whsec_ followed by base64 of 24 to 64 random bytes)");
        }
    }

    public boolean isConfigured() {
        return secret != null;
    }

    /** Sets the three headers on the message, whose body is the envelope exactly as it is sent. */
    public void sign(Exchange exchange) {
        byte[] key = secret;
        if (key == null) {
            throw new IllegalStateException("no signing secret");
        }
        Message message = exchange.getMessage();
        String id = exchange.getProperty(GenerationExchange.EVENT_CLAIM, DeliveryClaim.class).eventId();
        byte[] body = message.getBody(String.class).getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.millis() / 1000;
        String signature = StandardWebhooksSignature.sign(key, id, timestamp, body);
        byte[] previous = previousSecret;
        if (previous != null) {
            signature += " " + StandardWebhooksSignature.sign(previous, id, timestamp, body);
        }
        message.setHeader(StandardWebhooksSignature.ID_HEADER, id);
        message.setHeader(StandardWebhooksSignature.TIMESTAMP_HEADER, Long.toString(timestamp));
        message.setHeader(StandardWebhooksSignature.SIGNATURE_HEADER, signature);
    }

    private static byte[] bytesOf(String secret, String setting) {
        // names the setting, never the value
        return StandardWebhooksSignature.secretBytes(secret, setting);
    }
}
