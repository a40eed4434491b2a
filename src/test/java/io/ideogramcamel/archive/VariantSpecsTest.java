package io.ideogramcamel.archive;

import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The variants as configured: a user's own name, the defaults of format and quality, clear refusals. */
class VariantSpecsTest {

    private static VariantSpecs specs(String names, String... keyValues) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(properties);
        VariantSpecs specs = new VariantSpecs();
        specs.setCamelContext(context);
        specs.setNames(names);
        return specs;
    }

    @Test
    void aUsersOwnVariantNeedsOnlyItsSizeAndIsWebpAt85() {
        VariantSpecs specs = specs("og, banner", "variants.og.width", "1200", "variants.og.height", "630",
                "variants.og.format", "png", "variants.banner.width", "1500", "variants.banner.height", "500");
        specs.init();
        assertThat(specs.specs()).containsExactly(new VariantSpec("og", 1200, 630, "png", 85),
                new VariantSpec("banner", 1500, 500, "webp", 85));
        assertThat(specs.isEnabled()).isTrue();
    }

    @Test
    void aListedNameWithoutItsSizeOrWithABadValueStopsTheStartSayingWhich() {
        assertThatThrownBy(() -> specs("poster", "variants.poster.width", "100").init())
                .hasMessage("variants.poster.height is not set, and variants.names lists poster");
        assertThatThrownBy(() -> specs("poster", "variants.poster.width", "wide", "variants.poster.height", "1").init())
                .hasMessage("variants.poster.width must be a whole number");
        assertThatThrownBy(() -> specs("poster", "variants.poster.width", "10", "variants.poster.height", "10",
                "variants.poster.format", "gif").init())
                .hasMessage("variants.poster.format must be webp, png or jpeg");
        assertThatThrownBy(() -> specs("Poster!", "variants.Poster!.width", "10").init())
                .hasMessageStartingWith("variant name must be");
    }

    @Test
    void anEmptyListOrEnabledFalseMakesNone() {
        VariantSpecs none = specs("");
        none.init();
        assertThat(none.isEnabled()).isFalse();
        VariantSpecs off = specs("og", "variants.og.width", "1", "variants.og.height", "1");
        off.setEnabled(false);
        off.init();
        assertThat(off.isEnabled()).isFalse();
    }

    @Test
    void aPngVariantIgnoresQualityWhenComparingSpecs() {
        VariantSpec png = new VariantSpec("p", 10, 10, "png", 85);
        assertThat(png.sameAs(10, 10, "png", 40)).isTrue();
        assertThat(new VariantSpec("w", 10, 10, "webp", 85).sameAs(10, 10, "webp", 40)).isFalse();
        assertThat(new VariantSpec("j", 10, 10, "JPG", 85).format()).isEqualTo("jpeg");
        assertThat(new VariantSpec("j", 10, 10, "jpg", 85).extension()).isEqualTo("jpg");
    }
}
