package io.ideogramcamel.events;

import java.security.SecureRandom;

/**
 * Event ids: {@code evt_} and a ULID (26 Crockford base32 characters: 48 bits of milliseconds, 80
 * random bits). Time-ordered, so ids sort roughly by creation and a receiver's log reads in order;
 * random enough that ids from several instances never collide and cannot be guessed.
 */
final class EventIds {

    static final String PREFIX = "evt_";
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {
    }

    static String next(long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return PREFIX + ulid(epochMillis, random);
    }

    /** 10 characters of time, then 16 of the 80 random bits (5 bits per character, high first). */
    static String ulid(long epochMillis, byte[] random) {
        char[] out = new char[26];
        long time = epochMillis;
        for (int i = 9; i >= 0; i--) {
            out[i] = CROCKFORD[(int) (time & 31)];
            time >>>= 5;
        }
        long high = 0;
        for (int i = 0; i < 5; i++) {
            high = (high << 8) | (random[i] & 0xFF);
        }
        long low = 0;
        for (int i = 5; i < 10; i++) {
            low = (low << 8) | (random[i] & 0xFF);
        }
        for (int i = 7; i >= 0; i--) {
            out[10 + i] = CROCKFORD[(int) (high & 31)];
            high >>>= 5;
            out[18 + i] = CROCKFORD[(int) (low & 31)];
            low >>>= 5;
        }
        return new String(out);
    }
}
