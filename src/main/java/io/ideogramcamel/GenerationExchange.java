package io.ideogramcamel;

/**
 * Names of the exchange properties the routes and beans hand each other, kept in one place so a
 * route file and a bean cannot drift apart.
 */
public final class GenerationExchange {

    /** The generation id taken from the verified signature header; the idempotency key. */
    public static final String GENERATION_ID = "generationId";
    /** Where the generation came from: webhook or poll. */
    public static final String SOURCE = "generationSource";
    /** Ideogram's "created" value from the delivery, as sent (may be null). */
    public static final String CREATED = "generationCreated";
    /** The delivery's data[] array as compact JSON text. */
    public static final String IMAGES = "generationImages";

    private GenerationExchange() {
    }
}
