package io.ideogramcamel.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.OnCamelContextStarting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the bundle's own API. The webhook must be reachable by Ideogram, so it usually sits on a
 * public address, and POST /generations on the same port spends the account's money: with
 * {@code api.token} set, the API routes want {@code Authorization: Bearer <token>}.
 *
 * <p>Fail closed: {@link #start()} refuses to start an API that anyone could reach without a token
 * (no token, and a bind address that is not loopback), unless {@code api.allow-unauthenticated}
 * says so explicitly (an authenticating gateway in front); and it refuses a token too short to
 * resist guessing.
 */
public class ApiTokenCheck implements Processor, OnCamelContextStarting {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokenCheck.class);

    /** 32 characters: a random token of that length cannot be guessed online. */
    public static final int MIN_TOKEN_CHARS = 32;

    private byte[] expected;
    private int tokenChars;
    private String host = "0.0.0.0";
    private boolean allowUnauthenticated;

    public void setToken(String token) {
        String trimmed = token == null ? "" : token.trim();
        this.tokenChars = trimmed.length();
        this.expected = trimmed.isEmpty() ? null : ("Bearer " + trimmed).getBytes(StandardCharsets.UTF_8);
    }

    /** The interface the HTTP server binds ({@code camel.server.host}). */
    public void setHost(String host) {
        this.host = host == null ? "" : host.trim();
    }

    /** True only when something in front of the bundle authenticates its callers. */
    public void setAllowUnauthenticated(boolean allowUnauthenticated) {
        this.allowUnauthenticated = allowUnauthenticated;
    }

    /*
     * Camel calls this on the one instance its registry holds, as the context starts and before any
     * route does: the YAML DSL's pre-parse builds every bean twice, so an init method ran twice (two
     * pools, two refresh threads, every start-up line printed twice).
     */
    @Override
    public void onContextStarting(CamelContext context) {
        start();
    }

    /**
     * Checks the settings once, at start.
     *
     * @throws IllegalStateException naming the settings to change; Camel does not start then
     */
    public void start() {
        if (expected != null) {
            if (tokenChars < MIN_TOKEN_CHARS) {
                throw refuse("api.token (API_TOKEN) is shorter than " + MIN_TOKEN_CHARS
                        + " characters: use a long random token, e.g. openssl rand -hex 32");
            }
            return;
        }
        if (isLoopback(host)) {
            return;
        }
        if (!allowUnauthenticated) {
            throw refuse("the API (/generations) would be open to anyone on camel.server.host=" + host
                    + ": set api.token (API_TOKEN, at least " + MIN_TOKEN_CHARS + " characters), bind "
                    + "camel.server.host to a loopback address, or set api.allow-unauthenticated=true behind "
                    + "an authenticating gateway");
        }
        LOG.warn("api.token is not set and api.allow-unauthenticated=true: anyone who reaches {} can submit "
                + "generations on the account unless a gateway in front authenticates them", host);
    }

    /** One ERROR line an operator can read above Camel's stack trace, and the exception that stops the start. */
    private static IllegalStateException refuse(String reason) {
        LOG.error("Not starting: {}", reason);
        return new IllegalStateException(reason);
    }

    /** True for a loopback literal or a name that resolves only to loopback; never for 0.0.0.0. */
    static boolean isLoopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public void process(Exchange exchange) {
        if (expected == null) {
            return;
        }
        String given = exchange.getMessage().getHeader("Authorization", String.class);
        // constant time, so the answer's timing does not reveal how much of a guess was right
        if (given == null || !MessageDigest.isEqual(expected, given.trim().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiRejectedException(401, "unauthorized");
        }
    }
}
