package io.ideogramcamel.standin;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ImagineAPI (seed 002) in the stand-in: {@code GET /providers/imagineapi/items/images/{id}}
 * (Bearer) answers {@code {"data": {id, prompt, status, progress, url, upscaled_urls, error}}};
 * a send goes pending, in-progress 25/50/75, then completed, each as
 * {@code {"event": "images.items.create" | "images.items.update", "payload": {...}}}. Completed
 * items list the grid as {@code url} (image 0) and the upscales as {@code upscaled_urls} (1..n-1).
 */
public final class ImagineApiStandIn extends UnsignedProviderStandIn {

    ImagineApiStandIn(String baseUrl, String apiKey) {
        super("imagineapi", baseUrl, apiKey);
    }

    /** The API URL to configure as providers.imagineapi.api-url. */
    public String apiUrl() {
        return baseUrl + "/providers/imagineapi";
    }

    @Override
    String itemPath() {
        return "items/images/";
    }

    @Override
    Map<String, Object> apiAnswer(Item item) {
        return Map.of("data", payload(item));
    }

    @Override
    Map<String, Object> callback(Item item) {
        String event = "pending".equals(item.status) && item.progress == null ? "images.items.create" : "images.items.update";
        return Map.of("event", event, "payload", payload(item));
    }

    @Override
    List<Object[]> steps() {
        return Arrays.asList(new Object[] { "pending", null }, new Object[] { "in-progress", 25 },
                new Object[] { "in-progress", 50 }, new Object[] { "in-progress", 75 });
    }

    /** The grid image's URL (index 0 of the stand-in's PNGs). */
    public String gridUrl(String id) {
        return imageUrl(id, 0);
    }

    private Map<String, Object> payload(Item item) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", item.id);
        payload.put("prompt", item.prompt);
        payload.put("status", item.status);
        payload.put("progress", item.progress);
        boolean done = "completed".equals(item.status);
        List<String> urls = urls(item);
        payload.put("url", done ? urls.get(0) : null);
        payload.put("upscaled_urls", done ? urls.subList(1, urls.size()) : null);
        payload.put("error", "failed".equals(item.status) ? "Job failed at the provider" : null);
        return payload;
    }
}
