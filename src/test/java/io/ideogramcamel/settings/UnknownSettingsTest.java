package io.ideogramcamel.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnknownSettingsTest {

    @Test
    void onlyTheBundlesOwnUnknownKeysAreNamedWithTheClosestKnownOne() throws Exception {
        UnknownSettings settings = new UnknownSettings(StartupSettings.shipped().stringPropertyNames());
        assertThat(settings.warnings(
                Map.of("application.properties", Set.of("ideogram.max-inflight-image", "camel.main.name", "store.pool-size")),
                Map.of("HTTP_PROXY", "x", "STORE_JDBC_URL", "x", "STORE_POOL_SIZ", "1", "PATH", "/bin"),
                Set.of()))
                .containsExactly(
                        "Unknown setting ideogram.max-inflight-image (in application.properties) is ignored: nothing "
                                + "reads it; did you mean ideogram.max-inflight-images (IDEOGRAM_MAX_INFLIGHT_IMAGES)?",
                        "Unknown setting STORE_POOL_SIZ (in the environment) is ignored: nothing reads it; did you "
                                + "mean store.pool-size (STORE_POOL_SIZE)?");
    }

    @Test
    void theFieldsOfAVariantTheUserListedAreKnownAndOthersAreNot() throws Exception {
        UnknownSettings settings = new UnknownSettings(StartupSettings.shipped().stringPropertyNames())
                .withVariantNames("og,banner");
        assertThat(settings.warnings(
                Map.of("application.properties", Set.of("variants.names", "variants.banner.width", "variants.banner.height",
                        "variants.banner.format", "variants.banner.quality", "variants.poster.width",
                        "variants.banner.widht")),
                Map.of("VARIANTS_BANNER_QUALITY", "70", "VARIANTS_POSTER_HEIGHT", "9"),
                Set.of()))
                .hasSize(3)
                .anySatisfy(w -> assertThat(w).startsWith("Unknown setting variants.poster.width "))
                .anySatisfy(w -> assertThat(w).startsWith("Unknown setting variants.banner.widht ")
                        .contains("did you mean variants.banner.width"))
                .anySatisfy(w -> assertThat(w).startsWith("Unknown setting VARIANTS_POSTER_HEIGHT "));
    }

    @Test
    void aVariableASettingsFileReadsIsKnown() throws Exception {
        UnknownSettings settings = new UnknownSettings(StartupSettings.shipped().stringPropertyNames());
        assertThat(settings.warnings(Map.of(), Map.of("STORAGE_EXTRA", "x"), Set.of("STORAGE_EXTRA"))).isEmpty();
    }

    @Test
    void everyRequiredVariableMissingIsListedNotOnlyTheFirst(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("application-x.properties");
        Files.writeString(file, "a = {{env:A}}\n# c = {{env:C}}\nb = {{env:B}}\nd = {{env:D:default}}\ne = {{env:E}}\n");
        assertThat(RequiredEnvironment.missing(file, Map.of("B", "set"))).containsExactly("A", "E");
    }
}
