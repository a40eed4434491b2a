package io.ideogramcamel.logging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Keeps a dependency that stays down from flooding the log: a line with the same key is written at
 * most once per interval, and the next one written says how many were suppressed in between.
 * The key is what makes two lines "identical" (the cause, not the generation at hand).
 */
public final class RateLimitedLog {

    /** More distinct keys than this and the oldest state is simply forgotten (lines pass again). */
    private static final int MAX_KEYS = 1000;

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RateLimitedLog(Logger log, long intervalSeconds) {
        this(log, intervalSeconds, System::nanoTime);
    }

    /** With the clock given, for tests. */
    public RateLimitedLog(Logger log, long intervalSeconds, LongSupplier nanoClock) {
        this.log = log;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(Math.max(0, intervalSeconds));
        this.nanoClock = nanoClock;
    }

    public void warn(String key, String line) {
        log(Level.WARN, key, line);
    }

    public void error(String key, String line) {
        log(Level.ERROR, key, line);
    }

    /** Writes {@code line} unless a line with this key was written less than an interval ago. */
    public void log(Level level, String key, String line) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        long suppressed = admit(key);
        if (suppressed < 0) {
            return;
        }
        String text = suppressed == 0 ? line
                : line + " (" + suppressed + " identical line(s) suppressed in the last "
                        + TimeUnit.NANOSECONDS.toSeconds(intervalNanos) + " s)";
        log.atLevel(level).log(text);
    }

    /* -1: suppress this one; otherwise how many were suppressed since the last written line. */
    private long admit(String key) {
        if (windows.size() > MAX_KEYS) {
            windows.clear();
        }
        long now = nanoClock.getAsLong();
        long[] result = new long[1];
        windows.compute(key, (k, w) -> {
            if (w == null || now - w.writtenAt >= intervalNanos) {
                result[0] = w == null ? 0 : w.suppressed;
                return new Window(now);
            }
            w.suppressed++;
            result[0] = -1;
            return w;
        });
        return result[0];
    }

    private static final class Window {
        final long writtenAt;
        long suppressed;

        Window(long writtenAt) {
            this.writtenAt = writtenAt;
        }
    }
}
