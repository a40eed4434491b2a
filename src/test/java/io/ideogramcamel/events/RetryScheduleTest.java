package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private static RetrySchedule schedule(int initial, int max, int attempts, double random) {
        RetrySchedule s = new RetrySchedule();
        s.setInitialDelaySeconds(initial);
        s.setMaxDelaySeconds(max);
        s.setMaxAttempts(attempts);
        s.setRandom(() -> random);
        return s;
    }

    @Test
    void theBackoffDoublesFromTheInitialDelayWithinTwentyPercentAndStopsAtTheMax() {
        RetrySchedule low = schedule(5, 36_000, 15, 0.0);
        RetrySchedule mid = schedule(5, 36_000, 15, 0.5);
        RetrySchedule high = schedule(5, 36_000, 15, 0.999_999);

        assertThat(mid.backoffMillis(0)).isEqualTo(5_000);
        assertThat(mid.backoffMillis(1)).isEqualTo(10_000);
        assertThat(mid.backoffMillis(3)).isEqualTo(40_000);
        assertThat(low.backoffMillis(0)).isEqualTo(4_000);
        assertThat(high.backoffMillis(0)).isBetween(5_999L, 6_000L);
        assertThat(high.backoffMillis(20)).as("never beyond the max").isEqualTo(36_000_000);
        assertThat(low.backoffMillis(20)).isEqualTo(28_800_000);
    }

    @Test
    void theDefaultsSpanAboutADay() {
        RetrySchedule s = schedule(5, 36_000, 15, 0.5);
        long total = 0;
        for (int before = 0; before < 14; before++) {
            total += s.backoffMillis(before);
        }
        assertThat(total).isBetween(20L * 3_600_000, 40L * 3_600_000);
    }

    @Test
    void zeroRetriesAtOnce() {
        assertThat(schedule(0, 3600, 5, 0.9).backoffMillis(4)).isZero();
    }

    @Test
    void theLastAttemptIsTheMaxAttemptsTh() {
        RetrySchedule s = schedule(5, 60, 3, 0.5);
        assertThat(s.isLastAttempt(0)).isFalse();
        assertThat(s.isLastAttempt(1)).isFalse();
        assertThat(s.isLastAttempt(2)).isTrue();
        assertThat(schedule(5, 60, 1, 0.5).isLastAttempt(0)).isTrue();
    }

    @Test
    void retryAfterInSecondsOrAsAnHttpDateIsHonouredUpToTheMax() {
        RetrySchedule s = schedule(5, 3600, 15, 0.5);
        long now = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                Instant.ofEpochMilli(now + 120_000).atOffset(ZoneOffset.UTC));

        assertThat(s.retryAfterMillis("120", 0, now)).isEqualTo(120_000);
        assertThat(s.retryAfterMillis(inTwoMinutes, 0, now)).isEqualTo(120_000);
        assertThat(s.retryAfterMillis("999999", 0, now)).as("capped").isEqualTo(3_600_000);
        assertThat(s.retryAfterMillis("Tue, 01 Jan 2019 00:00:00 GMT", 0, now)).as("in the past").isZero();
    }

    @Test
    void anAbsentOrUnreadableRetryAfterFallsBackToTheBackoff() {
        RetrySchedule s = schedule(5, 3600, 15, 0.5);
        assertThat(s.retryAfterMillis(null, 2, 0)).isEqualTo(20_000);
        assertThat(s.retryAfterMillis("soon", 2, 0)).isEqualTo(20_000);
        assertThat(s.retryAfterMillis("-5", 2, 0)).isEqualTo(20_000);
    }

    @Test
    void nonsenseSettingsAreRefused() {
        RetrySchedule s = new RetrySchedule();
        assertThatThrownBy(() -> s.setInitialDelaySeconds(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.setMaxDelaySeconds(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> s.setMaxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
