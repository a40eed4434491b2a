package io.ideogramcamel.standin;

import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/** {@code GET /images/{generation_id}/{index}.png}: the rendered images; no key needed, like signed links. */
final class ImageHandler implements Exchanges.Endpoint {

    private static final Pattern PATH = Pattern.compile("/images/([A-Za-z0-9_-]{1,256}={0,2})/([0-9]{1,2})\\.png");

    private final Generations generations;
    private final ImageLinks links;

    ImageHandler(Generations generations, ImageLinks links) {
        this.generations = generations;
        this.links = links;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException, ApiError {
        Exchanges.requireMethod(exchange, "GET");
        Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
        Generation generation = path.matches() ? generations.find(path.group(1)) : null;
        if (generation == null) {
            throw new ApiError(404, "No such image");
        }
        int index = Integer.parseInt(path.group(2));
        List<GeneratedImage> images = generation.images();
        if (index >= images.size() || images.get(index).png() == null) {
            throw new ApiError(404, "No such image");
        }
        links.fetched(generation.id(), index);
        Exchanges.bytes(exchange, 200, "image/png", images.get(index).png());
    }
}
