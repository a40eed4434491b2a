package io.ideogramcamel;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The one way the bundle writes a time for others to read (the status API, event envelopes and
 * their data): ISO-8601 in UTC with milliseconds and a Z, e.g. {@code 2026-11-30T10:00:00.123Z}.
 * A fixed width, so such texts also sort as times.
 */
public final class IsoUtc {

    private static final DateTimeFormatter ISO_UTC_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private IsoUtc() {
    }

    public static String format(long epochMillis) {
        return ISO_UTC_MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }
}
