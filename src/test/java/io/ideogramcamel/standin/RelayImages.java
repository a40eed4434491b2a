package io.ideogramcamel.standin;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/**
 * PNGs the stand-in serves for another provider's callbacks ({@code <base>/images/<id>/<i>.png}
 * under that provider's path), rendered when a callback is made, with fetch counts, so a test sees
 * the bundle archive real images from a loopback host and fetch each once.
 */
final class RelayImages {

    private static final Pattern IMAGE = Pattern.compile("images/([A-Za-z0-9_.-]{1,200})/([0-9]{1,2})\\.png");

    private final String prefixUrl;
    private final Map<String, byte[]> pngs = new HashMap<>();
    private final Map<String, Integer> fetches = new HashMap<>();

    /** {@code prefixUrl}: the provider's base URL ending in '/', e.g. http://127.0.0.1:8090/providers/hmac/. */
    RelayImages(String prefixUrl) {
        this.prefixUrl = prefixUrl;
    }

    /** Renders {@code count} images of {@code id} and returns their links, in order. */
    synchronized String[] render(String id, String prompt, int count) {
        String[] urls = new String[count];
        for (int i = 0; i < count; i++) {
            pngs.put(id + "/" + i, PngRenderer.render(prompt, "1024x1024", 1000L + i, i, count));
            urls[i] = prefixUrl + "images/" + id + "/" + i + ".png";
        }
        return urls;
    }

    /** Serves {@code rest} (the path after the provider's prefix) when it names an image; false otherwise. */
    boolean serve(HttpExchange exchange, String rest) throws IOException, ApiError {
        Matcher image = IMAGE.matcher(rest);
        if (!image.matches()) {
            return false;
        }
        Exchanges.requireMethod(exchange, "GET");
        String key = image.group(1) + "/" + image.group(2);
        byte[] png;
        synchronized (this) {
            png = pngs.get(key);
            if (png != null) {
                fetches.merge(key, 1, Integer::sum);
            }
        }
        if (png == null) {
            throw new ApiError(404, "No such image");
        }
        Exchanges.bytes(exchange, 200, "image/png", png);
        return true;
    }

    synchronized int fetches(String id, int index) {
        return fetches.getOrDefault(id + "/" + index, 0);
    }
}
