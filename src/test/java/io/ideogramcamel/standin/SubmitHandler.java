package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code POST /v1/ideogram-v4/async/generate?webhook_url=...}, and the same at
 * {@code POST /v2/image/generate/ideogram-4}, where the request must also ask for an asynchronous
 * run: a webhook_url, or {@code "async": true} in the body (this stand-in has no synchronous mode).
 * Checks run in Ideogram's order of
 * cost: key, rate limit, body, prompt screening (#no-funds, #unsafe-prompt), in-flight budget;
 * only a request that passes them all creates (and, at Ideogram, bills) a generation.
 */
final class SubmitHandler implements Exchanges.Endpoint {

    static final String PATH = "/v1/ideogram-v4/async/generate";
    static final String V2_PATH = "/v2/image/generate/ideogram-4";
    private static final int MAX_WEBHOOK_URL_LENGTH = 2048;

    private final String apiKey;
    private final Faults faults;
    private final InflightBudget budget;
    private final Generations generations;
    private final GenerationRunner runner;
    private final AtomicInteger calls = new AtomicInteger();
    /* every body as received, so a test can see what reached "Ideogram" (and what did not) */
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final ApiPaths paths;

    SubmitHandler(String apiKey, Faults faults, InflightBudget budget, Generations generations, GenerationRunner runner,
            ApiPaths paths) {
        this.paths = paths;
        this.apiKey = apiKey;
        this.faults = faults;
        this.budget = budget;
        this.generations = generations;
        this.runner = runner;
    }

    int calls() {
        return calls.get();
    }

    List<String> bodies() {
        return List.copyOf(bodies);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        String path = exchange.getRequestURI().getPath();
        if (!PATH.equals(path) && !V2_PATH.equals(path)) {
            throw new ApiError(404, "Not found");
        }
        Exchanges.requireMethod(exchange, "POST");
        calls.incrementAndGet();
        paths.seen("POST", path);
        Exchanges.requireApiKey(exchange, apiKey);
        faults.checkSubmit();
        String webhookUrl = webhookUrl(exchange.getRequestURI().getRawQuery());
        byte[] body = Exchanges.body(exchange);
        bodies.add(new String(body, StandardCharsets.UTF_8));
        GenerationRequest request = GenerationRequest.parse(body);
        if (V2_PATH.equals(path) && webhookUrl == null && !asksForAsync(body)) {
            throw new ApiError(400, "This stand-in runs v2 generations asynchronously only: send a webhook_url or \"async\": true");
        }
        PromptMarkers markers = PromptMarkers.in(request.prompt());
        if (markers.noFunds()) {
            throw new ApiError(402, Map.of("error", "Insufficient funds (asked for with #no-funds)",
                    "reject_reason", "insufficient_funds"), Map.of());
        }
        if (markers.unsafePrompt()) {
            throw new ApiError(422, "The prompt failed the safety check (asked for with #unsafe-prompt)");
        }
        budget.reserve(request.numImages());
        Generation generation = generations.create(request, webhookUrl);
        runner.start(generation);
        Exchanges.sleep(faults.takeSubmitAnswerDelay());
        Exchanges.json(exchange, 200, Map.of("generation_id", generation.id()));
    }

    private static boolean asksForAsync(byte[] body) {
        try {
            return GenerationJson.JSON.readTree(body).path("async").asBoolean(false);
        } catch (IOException e) {
            return false;
        }
    }

    /** Plain http is allowed, unlike at Ideogram: the receiver is local. */
    private static String webhookUrl(String rawQuery) throws ApiError {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (!"webhook_url".equals(name)) {
                continue;
            }
            String url = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (url.isEmpty()) {
                return null;
            }
            if (url.length() > MAX_WEBHOOK_URL_LENGTH || !isHttpUrl(url)) {
                throw new ApiError(400, "webhook_url must be an absolute http(s) URL of at most " + MAX_WEBHOOK_URL_LENGTH + " characters");
            }
            return url;
        }
        return null;
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
