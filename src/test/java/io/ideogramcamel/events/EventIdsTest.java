package io.ideogramcamel.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void aUlidIsTheTimeThenTheRandomBitsInCrockfordBase32() {
        byte[] zeros = new byte[10];
        byte[] ones = new byte[10];
        java.util.Arrays.fill(ones, (byte) 0xFF);

        // the ULID specification's own example time: 1469918176385 ms -> 01ARYZ6S41
        assertThat(EventIds.ulid(1469918176385L, zeros)).isEqualTo("01ARYZ6S41" + "0".repeat(16));
        assertThat(EventIds.ulid(0, ones)).isEqualTo("0".repeat(10) + "Z".repeat(16));
    }

    @Test
    void idsAreDistinctAndSortByTime() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(EventIds.next(1_700_000_000_000L));
        }
        assertThat(ids).hasSize(1000).allMatch(id -> id.matches("evt_[0-9A-HJKMNP-TV-Z]{26}"));
        assertThat(EventIds.next(1_700_000_000_001L).substring(0, 14))
                .isGreaterThan(EventIds.next(1_700_000_000_000L).substring(0, 14));
    }
}
