package io.ideogramcamel.store;

/**
 * The states of one generation, stored by name in {@code generation.state}.
 *
 * <pre>
 * QUEUED -> SUBMITTED -> RECEIVED -> ARCHIVED
 *           SUBMITTED -> FAILED (Ideogram says failed, or expired)
 *                        RECEIVED -> FAILED (links expired before archiving succeeded)
 * </pre>
 *
 * A generation delivered by webhook (or found by polling) without a SUBMITTED row starts at RECEIVED.
 */
public enum GenerationState {
    QUEUED,
    SUBMITTED,
    RECEIVED,
    ARCHIVED,
    FAILED
}
