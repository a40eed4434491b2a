package io.ideogramcamel.events;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Told, inside the transaction of the change, that a request submitted here reached an end: its
 * generation archived or failed, its submission refused (FAILED) or given up (UNKNOWN). A feature
 * that groups requests (campaigns) implements it to notice its last request ending and to write its
 * own event through the same outbox, in the same transaction. Defined here, implemented above, so
 * the events package never imports the feature.
 */
@FunctionalInterface
public interface RequestEndings {

    /** Nobody listens. */
    RequestEndings NONE = (c, queuedId, at, outbox) -> {
    };

    /**
     * @param c        the connection of the change, in its open transaction (never committed here)
     * @param queuedId the submission that ended
     * @param at       when (epoch millis), also the timestamp of any event written
     * @param outbox   where an event caused by this end is appended
     */
    void ended(Connection c, String queuedId, long at, EventOutbox outbox) throws SQLException;
}
