package io.ideogramcamel.archive;

/**
 * The image host failed in a way that may pass (5xx, 429): redelivered with backoff, then
 * re-driven by the timer. The message is a fixed token such as {@code image_http_503}.
 */
public class ImageFetchRetryableException extends RuntimeException {

    public ImageFetchRetryableException(String reason) {
        super(reason, null, false, false);
    }
}
