package io.ideogramcamel.events;

import java.util.Locale;

/**
 * An event's state as operators see it, summed over its deliveries: {@code dead} if any delivery
 * is DEAD (someone has to look), else {@code pending} if any is still PENDING, else
 * {@code delivered} (also an event that had no destination). Lower case on the wire.
 */
public enum EventState {
    DEAD("EXISTS (SELECT 1 FROM event_delivery d WHERE d.event_id = o.event_id AND d.state = 'DEAD')"),
    PENDING("NOT EXISTS (SELECT 1 FROM event_delivery d WHERE d.event_id = o.event_id AND d.state = 'DEAD') "
            + "AND EXISTS (SELECT 1 FROM event_delivery d WHERE d.event_id = o.event_id AND d.state = 'PENDING')"),
    DELIVERED("NOT EXISTS (SELECT 1 FROM event_delivery d WHERE d.event_id = o.event_id "
            + "AND d.state IN ('DEAD', 'PENDING'))");

    /* Fixed SQL over the outbox row aliased o: the event is in this state. */
    private final String condition;

    EventState(String condition) {
        this.condition = condition;
    }

    String condition() {
        return condition;
    }

    /** The state on the wire. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The state of an event whose deliveries are in these states. */
    static EventState of(boolean anyDead, boolean anyPending) {
        return anyDead ? DEAD : anyPending ? PENDING : DELIVERED;
    }

    /**
     * @return the state named on the wire (any case), or null for anything else
     */
    public static EventState fromWire(String wire) {
        if (wire == null) {
            return null;
        }
        for (EventState s : values()) {
            if (s.wire().equals(wire.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }
}
