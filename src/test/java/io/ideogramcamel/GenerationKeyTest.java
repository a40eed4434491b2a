package io.ideogramcamel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GenerationKeyTest {

    @Test
    void ideogramKeepsItsPlainIdAndOtherProvidersArePrefixed() {
        assertThat(GenerationKey.of("ideogram", "aNTRtSi21N_Xi_-4btBkwA")).isEqualTo("aNTRtSi21N_Xi_-4btBkwA");
        assertThat(GenerationKey.of("fal", "764cabcf-b745-4b3e-ae38-1200304cf45b"))
                .isEqualTo("fal/764cabcf-b745-4b3e-ae38-1200304cf45b");
        assertThat(GenerationKey.providerOf("fal/abc")).isEqualTo("fal");
        assertThat(GenerationKey.idOf("fal/abc")).isEqualTo("abc");
        assertThat(GenerationKey.providerOf("aNTRtSi21N_Xi_-4btBkwA==")).isEqualTo("ideogram");
        assertThat(GenerationKey.idOf("aNTRtSi21N_Xi_-4btBkwA==")).isEqualTo("aNTRtSi21N_Xi_-4btBkwA==");
    }

    @Test
    void idsThatCouldLeaveTheirFolderOrBreakAKeyAreRefused() {
        for (String bad : new String[] {"", ".", "..", "../x", "a/b", "a b", "a\\b", "x".repeat(201), "a=b", "a===", "%2e"}) {
            assertThat(GenerationKey.isValidId(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> GenerationKey.of("fal", bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(GenerationKey.isValidId(null)).isFalse();
        assertThat(GenerationKey.isValidId("r8.abc_DEF-1")).isTrue();
        assertThat(GenerationKey.isValidId("aNTRtSi21N_Xi_-4btBkwA==")).isTrue();
        assertThat(GenerationKey.isValidId("x".repeat(200))).isTrue();
    }

    @Test
    void providerNamesAreShortLowerCaseWords() {
        assertThat(GenerationKey.isValidProvider("imagineapi")).isTrue();
        for (String bad : new String[] {"", "Fal", "fal/x", "1fal", "fal-ai", "x".repeat(33)}) {
            assertThat(GenerationKey.isValidProvider(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> GenerationKey.of(bad, "abc")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
