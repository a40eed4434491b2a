package io.ideogramcamel.standin;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * What ImagineAPI and RunBlob share in the stand-in: unsigned callbacks, an item API answering
 * with a Bearer key, PNG images of their own, and the ability to lie (a callback claiming completed
 * while the API says pending, or does not know the item). Each provider says only its shapes.
 * Paths under {@code /providers/<name>/}: {@code send} (POST, {@code to}, optional {@code lie}:
 * pending or unknown, {@code fail}: true), the item API, and {@code images/<id>/<i>.png}.
 */
public abstract class UnsignedProviderStandIn implements Exchanges.Endpoint {

    /** One item as the provider's API sees it. */
    static final class Item {
        final String id;
        final String prompt;
        volatile String status = "pending";
        volatile Integer progress;
        volatile int imageCount;
        /** false: the API answers 404 (a lie about an item it never had). */
        volatile boolean known = true;

        Item(String id, String prompt) {
            this.id = id;
            this.prompt = prompt;
        }
    }

    /** One callback sent and the bundle's answer. */
    public record Sent(int status, String body) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

    final String name;
    final String baseUrl;
    private final String apiKey;
    final Map<String, Item> items = new ConcurrentHashMap<>();
    private final AtomicInteger apiFailures = new AtomicInteger();
    private final AtomicInteger apiCalls = new AtomicInteger();
    private volatile String lastItemId;

    UnsignedProviderStandIn(String name, String baseUrl, String apiKey) {
        this.name = name;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
    }

    void register(HttpServer server) {
        server.createContext(prefix(), Exchanges.handler(this));
    }

    final String prefix() {
        return "/providers/" + name + "/";
    }

    // --- the provider's shapes ---

    /** The item API's path after the prefix, with the id last (items/images/ or tasks/). */
    abstract String itemPath();

    /** The item API's answer for a known item. */
    abstract Map<String, Object> apiAnswer(Item item);

    /** The callback body for the item's current state. */
    abstract Map<String, Object> callback(Item item);

    /** The updates a send goes through before its last callback (ImagineAPI: pending, 25, 50, 75). */
    abstract List<Object[]> steps();

    // --- for tests ---

    /** A new item, pending, with {@code images} PNGs once completed. */
    public String newItem(String prompt, int images) {
        Item item = new Item(UUID.randomUUID().toString(), prompt);
        item.imageCount = images;
        items.put(item.id, item);
        return item.id;
    }

    /** Sets what the item API says about the item. */
    public void set(String id, String status, Integer progress) {
        Item item = items.get(id);
        item.status = status;
        item.progress = progress;
    }

    /** The item API answers 404 for it from now on. */
    public void forget(String id) {
        items.get(id).known = false;
    }

    /** The next {@code count} item API calls are answered 503. */
    public void failApiCalls(int count) {
        apiFailures.set(count);
    }

    /** The item of the last send. */
    public String lastItemId() {
        return lastItemId;
    }

    public int apiCalls() {
        return apiCalls.get();
    }

    /** The callback body for the item as if it were in this state (the API may say otherwise). */
    public byte[] callbackBody(String id, String status, Integer progress) {
        Item real = items.get(id);
        Item claimed = new Item(id, real.prompt);
        claimed.status = status;
        claimed.progress = progress;
        claimed.imageCount = real.imageCount;
        return GenerationJson.bytes(callback(claimed));
    }

    /** The URL of one of the item's images, served by the stand-in. */
    public String imageUrl(String id, int index) {
        return baseUrl + prefix() + "images/" + id + "/" + index + ".png";
    }

    public byte[] image(String id, int index) {
        Item item = items.get(id);
        return PngRenderer.render(item.prompt, "1024x1024", item.id.hashCode(), index, item.imageCount);
    }

    /**
     * Runs a whole item: each progress step (the API agreeing), then the completion (or failure),
     * each sent to {@code to}. A lie: the last callback says completed while the API says pending
     * ({@code "pending"}) or does not know the item ({@code "unknown"}).
     */
    public List<Sent> send(String to, String lie, boolean fail) {
        String id = newItem("a lighthouse at dusk", 4);
        lastItemId = id;
        List<Sent> sent = new ArrayList<>();
        for (Object[] step : steps()) {
            set(id, (String) step[0], (Integer) step[1]);
            sent.add(post(to, callbackBody(id, (String) step[0], (Integer) step[1])));
        }
        String last = fail ? "failed" : "completed";
        if ("unknown".equals(lie)) {
            forget(id);
        } else if (!"pending".equals(lie)) {
            set(id, last, fail ? null : 100);
        }
        sent.add(post(to, callbackBody(id, last, fail ? null : 100)));
        return sent;
    }

    public static Sent post(String to, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(to)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<String> answer = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Sent(answer.statusCode(), answer.body());
        } catch (IOException e) {
            return new Sent(0, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sent(0, "interrupted");
        }
    }

    List<String> urls(Item item) {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < item.imageCount; i++) {
            urls.add(imageUrl(item.id, i));
        }
        return urls;
    }

    // --- HTTP ---

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        String rest = exchange.getRequestURI().getPath().substring(prefix().length());
        if (rest.equals("send")) {
            Exchanges.requireMethod(exchange, "POST");
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            // loopback only, as every sender of the stand-in: it must not post to anywhere else
            String to = ProviderCallbacks.loopbackTarget(query);
            List<Sent> sent = send(to, query.get("lie"), "true".equals(query.get("fail")));
            List<Object> answers = new ArrayList<>();
            sent.forEach(s -> answers.add(Map.of("status", s.status(), "body", s.body())));
            // the item's id, so a user can ask the bundle about it next
            Exchanges.json(exchange, 200, Map.of("id", lastItemId, "status_url_path",
                    "/generations/" + name + "/" + lastItemId, "answers", answers));
            return;
        }
        if (rest.startsWith("images/")) {
            Exchanges.requireMethod(exchange, "GET");
            String[] parts = rest.split("/");
            Item item = parts.length == 3 ? items.get(parts[1]) : null;
            int index = item == null ? -1 : parseIndex(parts[2]);
            if (item == null || index < 0 || index >= item.imageCount) {
                throw new ApiError(404, "No such image");
            }
            Exchanges.bytes(exchange, 200, "image/png", image(item.id, index));
            return;
        }
        if (rest.startsWith(itemPath())) {
            Exchanges.requireMethod(exchange, "GET");
            apiCalls.incrementAndGet();
            String given = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] expected = ("Bearer " + apiKey).getBytes(StandardCharsets.UTF_8);
            if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected)) {
                throw new ApiError(401, "Missing or invalid bearer token");
            }
            if (apiFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ApiError(503, "Temporarily unavailable");
            }
            Item item = items.get(rest.substring(itemPath().length()));
            if (item == null || !item.known) {
                throw new ApiError(404, "Not found");
            }
            Exchanges.json(exchange, 200, apiAnswer(item));
            return;
        }
        throw new ApiError(404, "Not found");
    }

    private static int parseIndex(String file) {
        if (!file.matches("[0-9]{1,2}\\.png")) {
            return -1;
        }
        return Integer.parseInt(file.substring(0, file.length() - 4));
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                query.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }
}
