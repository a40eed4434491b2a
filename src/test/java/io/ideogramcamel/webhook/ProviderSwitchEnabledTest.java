package io.ideogramcamel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** A provider whose settings all have defaults (fal) is on only when switched on. */
class ProviderSwitchEnabledTest {

    @Test
    void offUnlessSwitchedOnThenTheRequiredSettingsDecide() throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Properties settings = new Properties();
            settings.setProperty("providers.fal.jwks-url", "https://rest.alpha.fal.ai/.well-known/jwks.json");
            camel.getPropertiesComponent().setInitialProperties(settings);

            assertThat(fal(camel, false).missingSettings()).containsExactly("providers.fal.enabled=true");
            assertThat(fal(camel, false).isEnabled()).isFalse();
            assertThat(fal(camel, true).isEnabled()).isTrue();

            settings.setProperty("providers.fal.jwks-url", "");
            assertThat(fal(camel, true).missingSettings()).containsExactly("providers.fal.jwks-url");
        }
    }

    private static ProviderSwitch fal(DefaultCamelContext camel, boolean on) {
        ProviderSwitch fal = new ProviderSwitch();
        fal.setCamelContext(camel);
        fal.setProvider("fal");
        fal.setEnabled(on);
        fal.setEnabledSetting("providers.fal.enabled");
        fal.setRequiredSettings("providers.fal.jwks-url");
        return fal;
    }
}
