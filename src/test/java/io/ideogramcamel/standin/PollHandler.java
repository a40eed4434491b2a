package io.ideogramcamel.standin;

import java.io.IOException;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code GET /v1/generations/{id}}, and the same answer at {@code GET /v2/generations/{id}}. Every authorised poll is counted and tracked while it is
 * being answered (the configurable delay included), rate-limited ones too: the client made them.
 */
final class PollHandler implements Exchanges.Endpoint {

    static final String PATH = "/v1/generations/";
    static final String V2_PATH = "/v2/generations/";

    private final String apiKey;
    private final Faults faults;
    private final Generations generations;
    private final PollStats stats;
    private final ApiPaths paths;

    PollHandler(String apiKey, Faults faults, Generations generations, PollStats stats, ApiPaths paths) {
        this.paths = paths;
        this.apiKey = apiKey;
        this.faults = faults;
        this.generations = generations;
        this.stats = stats;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        Exchanges.requireMethod(exchange, "GET");
        String path = exchange.getRequestURI().getPath();
        String prefix = path.startsWith(V2_PATH) ? V2_PATH : PATH;
        String id = path.substring(prefix.length());
        paths.seen("GET", prefix);
        Exchanges.requireApiKey(exchange, apiKey);
        if (!Ids.isUrlSafeBase64(id)) {
            throw new ApiError(400, "Invalid generation id");
        }
        stats.enter(id);
        try {
            Exchanges.sleep(faults.pollDelay());
            faults.checkPoll();
            Generation generation = generations.find(id);
            if (generation == null) {
                throw new ApiError(404, "No generation with that id");
            }
            Exchanges.json(exchange, 200, GenerationJson.poll(generation));
        } finally {
            stats.exit(id);
        }
    }
}
