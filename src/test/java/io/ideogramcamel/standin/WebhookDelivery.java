package io.ideogramcamel.standin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * POSTs a completed generation to its webhook_url, signed, and tries again after a non-2xx
 * answer, a refused connection or a timeout, up to {@code attempts} times. Each attempt is signed
 * afresh, so its timestamp is current when it leaves. Sends are asynchronous: a slow receiver
 * holds no thread of the stand-in.
 */
final class WebhookDelivery {

    private final WebhookSigner signer;
    private final String userId;
    private final ScheduledExecutorService scheduler;
    private final int attempts;
    private final Duration retryInterval;
    private final Duration timeout;
    private final HttpClient client;
    private final List<WebhookAttempt> log = new ArrayList<>();

    WebhookDelivery(WebhookSigner signer, String userId, ScheduledExecutorService scheduler, int attempts,
            Duration retryInterval, Duration timeout) {
        this.signer = signer;
        this.userId = userId;
        this.scheduler = scheduler;
        this.attempts = attempts;
        this.retryInterval = retryInterval;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    void deliver(String generationId, String url, byte[] body) {
        send(generationId, url, body, 1);
    }

    synchronized List<WebhookAttempt> attempts() {
        return List.copyOf(log);
    }

    private void send(String generationId, String url, byte[] body, int attempt) {
        long timestamp = System.currentTimeMillis() / 1000;
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } catch (IllegalArgumentException badUrl) {
            record(new WebhookAttempt(generationId, attempt, url, timestamp, WebhookAttempt.NO_RESPONSE,
                    "invalid url", Instant.now()));
            return;
        }
        signer.headers(generationId, userId, timestamp, body).forEach(request::header);
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            int status = response == null ? WebhookAttempt.NO_RESPONSE : response.statusCode();
            String error = failure == null ? null : rootCause(failure).getClass().getSimpleName();
            WebhookAttempt done = new WebhookAttempt(generationId, attempt, url, timestamp, status, error, Instant.now());
            record(done);
            if (!done.delivered() && attempt < attempts) {
                try {
                    scheduler.schedule(() -> send(generationId, url, body, attempt + 1),
                            retryInterval.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException closed) {
                    // the stand-in was closed: no more retries
                }
            }
        });
    }

    private synchronized void record(WebhookAttempt attempt) {
        log.add(attempt);
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
