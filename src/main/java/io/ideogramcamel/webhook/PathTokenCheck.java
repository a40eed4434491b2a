package io.ideogramcamel.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.OnCamelContextStarting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only proof an unsigned provider's callback (ImagineAPI, RunBlob) came from someone we told
 * the URL: the secret token in its path ({@code /webhooks/imagineapi/{token}}). A wrong or missing
 * token is answered 404 {@code not_found}, like a path that does not exist, so the route does not
 * advertise itself; the token header is removed at once, so nothing later can log or echo it.
 *
 * <p>Both sides are hashed with SHA-256 before a constant-time comparison, so neither the content
 * nor the length of the expected token shows in the answer's timing. A token shorter than
 * {@value #MIN_TOKEN_CHARS} characters refuses the start (the message names the setting, never
 * the value); an empty one leaves the provider off (its ProviderSwitch says so).
 */
public class PathTokenCheck implements Processor, OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(PathTokenCheck.class);

    /** 32 characters: a random token of that length cannot be guessed online. */
    public static final int MIN_TOKEN_CHARS = 32;

    private String setting = "path-token";
    private String header = "token";
    private byte[] expectedDigest;
    private int tokenChars;

    /** The setting's name, for the start-up refusal (e.g. providers.imagineapi.path-token). */
    public void setSetting(String setting) {
        this.setting = setting;
    }

    /** The path parameter that carries the token ({token} in the path: header "token"). */
    public void setHeader(String header) {
        this.header = header;
    }

    public void setToken(String token) {
        String trimmed = token == null ? "" : token.trim();
        this.tokenChars = trimmed.length();
        this.expectedDigest = trimmed.isEmpty() ? null : sha256(trimmed);
    }

    @Override
    public void onContextStarting(CamelContext context) {
        start();
    }

    /**
     * @throws IllegalStateException when a token is set but too short; Camel does not start then
     */
    public void start() {
        if (expectedDigest != null && tokenChars < MIN_TOKEN_CHARS) {
            String reason = setting + " is shorter than " + MIN_TOKEN_CHARS
                    + " characters: use a long random token, e.g. openssl rand -hex 24";
            LOG.error("Not starting: {}", reason);
            throw new IllegalStateException(reason);
        }
    }

    @Override
    public void process(Exchange exchange) {
        String given = exchange.getMessage().getHeader(header, String.class);
        exchange.getMessage().removeHeader(header);
        if (expectedDigest == null || given == null || given.isEmpty()
                || !MessageDigest.isEqual(expectedDigest, sha256(given))) {
            throw new WebhookRejectedException(WebhookRejection.NOT_FOUND);
        }
        // the route takes every method, so a GET cannot learn from a 405 that the secret path exists
        if (!"POST".equals(exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class))) {
            throw new WebhookRejectedException(WebhookRejection.NOT_FOUND);
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
