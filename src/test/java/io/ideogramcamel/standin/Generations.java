package io.ideogramcamel.standin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every generation created, by id and in creation order. */
final class Generations {

    private final Map<String, Generation> byId = new ConcurrentHashMap<>();
    private final List<String> order = new ArrayList<>();

    synchronized Generation create(GenerationRequest request, String webhookUrl) {
        Generation generation = new Generation(WebhookSigner.randomId(16), request, webhookUrl);
        byId.put(generation.id(), generation);
        order.add(generation.id());
        return generation;
    }

    Generation find(String id) {
        return byId.get(id);
    }

    synchronized List<String> ids() {
        return List.copyOf(new ArrayList<>(order));
    }
}
