package io.ideogramcamel.submit;

/**
 * The states of one request to POST /generations, stored by name in {@code submission.state}.
 *
 * <pre>
 * QUEUED -> SENDING -> SENT     (Ideogram gave a generation_id; the generation row takes over)
 *           SENDING -> QUEUED   (429, or the connection never opened: not run, not billed)
 *           SENDING -> FAILED   (401, 402, 422, 400: Ideogram refused it)
 *           SENDING -> UNKNOWN  (sent, but no answer came: it may run and be billed; never resent)
 * </pre>
 */
public enum SubmissionState {
    QUEUED,
    SENDING,
    SENT,
    FAILED,
    UNKNOWN
}
