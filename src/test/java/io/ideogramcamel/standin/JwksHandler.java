package io.ideogramcamel.standin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;

/** {@code GET /v1/.well-known/jwks.json}: the public half of the signing key. */
final class JwksHandler implements Exchanges.Endpoint {

    static final String PATH = "/v1/.well-known/jwks.json";

    private final byte[] jwks;

    JwksHandler(WebhookSigner signer) {
        this.jwks = ("{\"keys\":[" + signer.jwk() + "]}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        if (!PATH.equals(exchange.getRequestURI().getPath())) {
            throw new ApiError(404, "Not found");
        }
        Exchanges.requireMethod(exchange, "GET");
        Exchanges.bytes(exchange, 200, "application/json", jwks);
    }
}
