package io.ideogramcamel.standin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/** Shared plumbing of the handlers: answering JSON, errors and bytes, the Api-Key check, bounded bodies. */
final class Exchanges {

    static final int MAX_BODY_BYTES = 1024 * 1024;

    private Exchanges() {
    }

    /** One endpoint: its ApiErrors become error answers; the exchange is always closed. */
    interface Endpoint {
        void handle(HttpExchange exchange) throws IOException, ApiError;
    }

    static HttpHandler handler(Endpoint endpoint) {
        return exchange -> {
            try {
                try {
                    endpoint.handle(exchange);
                } catch (ApiError error) {
                    error.headers().forEach(exchange.getResponseHeaders()::set);
                    json(exchange, error.status(), error.body());
                } catch (RuntimeException bug) {
                    json(exchange, 500, Map.of("error", "internal error in the stand-in: " + bug.getClass().getSimpleName()));
                }
            } catch (IOException clientGone) {
                // the client hung up (a timed-out caller of a slow answer): nothing to tell it
            } finally {
                exchange.close();
            }
        };
    }

    static void requireMethod(HttpExchange exchange, String method) throws ApiError {
        if (!method.equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", method);
            throw new ApiError(405, "Use " + method);
        }
    }

    static void requireApiKey(HttpExchange exchange, String apiKey) throws ApiError {
        String given = exchange.getRequestHeaders().getFirst("Api-Key");
        // constant time: a stand-in, but code people copy should not leak the key by timing
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), apiKey.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(401, "Missing or invalid Api-Key header");
        }
    }

    static byte[] body(HttpExchange exchange) throws IOException, ApiError {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new ApiError(413, "The body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return body;
        }
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        bytes(exchange, status, "application/json", GenerationJson.bytes(body));
    }

    static void bytes(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static void sleep(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
