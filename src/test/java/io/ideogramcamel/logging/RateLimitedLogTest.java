package io.ideogramcamel.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ideogramcamel.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

    private static final String LOGGER = "io.ideogramcamel.logging.test";

    @Test
    void identicalLinesWithinAnIntervalGiveOneLineThenOneWithTheCount() {
        AtomicLong clock = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(LOGGER), 60, clock::get);
        try (LogCapture captured = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 5; i++) {
                log.warn("store-down", "store down reason=x");
            }
            assertThat(captured.lines()).containsExactly("WARN store down reason=x");

            clock.addAndGet(TimeUnit.SECONDS.toNanos(60));
            log.warn("store-down", "store down reason=x");

            assertThat(captured.lines()).containsExactly("WARN store down reason=x",
                    "WARN store down reason=x (4 identical line(s) suppressed in the last 60 s)");
        }
    }

    @Test
    void differentKeysAreLimitedSeparately() {
        AtomicLong clock = new AtomicLong();
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(LOGGER), 60, clock::get);
        try (LogCapture captured = LogCapture.of(LOGGER)) {
            log.error("a", "first");
            log.warn("b", "second");
            log.warn("a", "first again");

            assertThat(captured.lines()).containsExactly("ERROR first", "WARN second");
        }
    }

    @Test
    void aZeroIntervalLimitsNothing() {
        RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(LOGGER), 0, () -> 0L);
        try (LogCapture captured = LogCapture.of(LOGGER)) {
            log.warn("a", "one");
            log.warn("a", "one");

            assertThat(captured.lines()).containsExactly("WARN one", "WARN one");
        }
    }
}
