package io.ideogramcamel.standin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RunBlob (seed 003) in the stand-in: {@code GET /providers/runblob/tasks/{task_uuid}} (Bearer)
 * answers {@code {task_uuid, status, prompt, result_image_url, message}}, and a send posts the one
 * callback of that shape (completed, or failed).
 */
public final class RunBlobStandIn extends UnsignedProviderStandIn {

    RunBlobStandIn(String baseUrl, String apiKey) {
        super("runblob", baseUrl, apiKey);
    }

    /** The URL template to configure as providers.runblob.status-url. */
    public String statusUrl() {
        return baseUrl + "/providers/runblob/tasks/{task_uuid}";
    }

    @Override
    public String newItem(String prompt, int images) {
        return super.newItem(prompt, 1);
    }

    @Override
    String itemPath() {
        return "tasks/";
    }

    @Override
    Map<String, Object> apiAnswer(Item item) {
        return task(item);
    }

    @Override
    Map<String, Object> callback(Item item) {
        return task(item);
    }

    @Override
    List<Object[]> steps() {
        return List.of();
    }

    private Map<String, Object> task(Item item) {
        Map<String, Object> task = new LinkedHashMap<>();
        task.put("task_uuid", item.id);
        task.put("status", item.status);
        task.put("prompt", item.prompt);
        task.put("result_image_url", "completed".equals(item.status) ? imageUrl(item.id, 0) : null);
        task.put("message", "failed".equals(item.status) ? "Generation failed: upstream error" : null);
        return task;
    }
}
