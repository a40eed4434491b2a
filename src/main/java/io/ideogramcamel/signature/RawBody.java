package io.ideogramcamel.signature;

import io.ideogramcamel.webhook.WebhookRejectedException;
import io.ideogramcamel.webhook.WebhookRejection;
import org.apache.camel.Message;
import org.apache.camel.StreamCache;

/**
 * The body bytes exactly as received, for a signature check. A stream cache is rewound for the next
 * reader; any other one-shot body is replaced by the bytes read, so the parser after the verifier
 * still sees the body. A body that cannot be read as bytes is a refusal, never a 500.
 */
final class RawBody {

    private static final byte[] EMPTY = new byte[0];

    private RawBody() {
    }

    static byte[] of(Message in) {
        Object body = in.getBody();
        if (body == null) {
            return EMPTY;
        }
        byte[] bytes = in.getBody(byte[].class);
        if (bytes == null) {
            throw new WebhookRejectedException(WebhookRejection.INVALID_SIGNATURE);
        }
        if (body instanceof StreamCache cache) {
            cache.reset();
        } else if (!(body instanceof byte[])) {
            in.setBody(bytes);
        }
        return bytes;
    }
}
