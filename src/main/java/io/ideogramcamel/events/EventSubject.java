package io.ideogramcamel.events;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the caller of POST /generations attached to the generation an event is about: the
 * submission's id, its metadata ({} when none, or when the generation arrived without a submission)
 * and its callback URL (null when none).
 */
record EventSubject(String queuedId, ObjectNode metadata, String callbackUrl) {
}
