package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** What the providers' senders share: POSTing a signed callback, and reading the control query. */
final class ProviderCallbacks {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ProviderCallbacks() {
    }

    /** POSTs {@code body} with {@code headers} to {@code to}; the bundle's answer. */
    static HttpResponse<String> post(String to, Map<String, String> headers, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(to)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The query parameters of a control request (last one wins). */
    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    /**
     * The {@code to} parameter: an http(s) URL on a loopback address only, so the stand-in cannot be
     * made to POST anywhere else.
     */
    static String loopbackTarget(Map<String, String> query) throws ApiError {
        String to = query.get("to");
        if (to == null || to.isEmpty()) {
            throw new ApiError(400, "Give to=<the bundle's callback URL>");
        }
        URI uri;
        try {
            uri = URI.create(to);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "to is not a URL");
        }
        String host = uri.getHost();
        boolean loopback = host != null && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]"));
        if (!loopback || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new ApiError(400, "to must be an http URL on 127.0.0.1 or localhost");
        }
        return to;
    }

    static int count(Map<String, String> query, String name, int fallback, int max) throws ApiError {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        throw new ApiError(400, name + " must be 0 to " + max);
    }
}
