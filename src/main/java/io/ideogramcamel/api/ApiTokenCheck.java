package io.ideogramcamel.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Guards the bundle's own API. The webhook must be reachable by Ideogram, so it usually sits on a
 * public address, and POST /generations on the same port spends the account's money: with
 * {@code api.token} set, the API routes want {@code Authorization: Bearer <token>}. Unset, the API
 * is open (fine on loopback or behind a gateway that authenticates), and the start says so.
 */
public class ApiTokenCheck implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ApiTokenCheck.class);

    private byte[] expected;

    public void setToken(String token) {
        this.expected = token == null || token.isBlank() ? null
                : ("Bearer " + token.trim()).getBytes(StandardCharsets.UTF_8);
    }

    public void start() {
        if (expected == null) {
            LOG.warn("api.token is not set: anyone who reaches this port can submit generations on the "
                    + "account; set API_TOKEN, or keep the API behind an authenticating gateway");
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
