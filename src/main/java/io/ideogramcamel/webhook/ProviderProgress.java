package io.ideogramcamel.webhook;

/** A provider's last word on a generation before its result: status as sent, percent if given. */
public record ProviderProgress(String status, Integer progress, long updatedAt) {
}
