package io.ideogramcamel.webhook;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a provider's callback route runs: only when every setting it cannot work without is set
 * (a secret, a path token, a key URL). Its route's precondition asks once, at start, and the answer
 * is said once in the log, so the default run (no provider set up) is unchanged and a provider
 * that seems deaf says why.
 */
public class ProviderSwitch implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderSwitch.class);

    private CamelContext camelContext;
    private String provider;
    private String requiredSettings = "";
    private String path = "";
    private String enabledSetting;
    private boolean switchedOn = true;
    private volatile Boolean enabled;

    public void setProvider(String provider) {
        this.provider = provider;
    }

    /**
     * Comma-separated setting names, e.g. {@code providers.hmac.secret}, all required; an entry
     * {@code a|b} is met by either (a provider that takes a secret or a public key).
     */
    public void setRequiredSettings(String requiredSettings) {
        this.requiredSettings = requiredSettings == null ? "" : requiredSettings;
    }

    /**
     * For a provider whose required settings all have working defaults (fal: its public JWKS URL),
     * an explicit on switch: off unless this is true. {@code setting} names it in the start line.
     */
    public void setEnabled(boolean on) {
        this.switchedOn = on;
    }

    /** The setting {@link #setEnabled} comes from, named in the start line when it is off. */
    public void setEnabledSetting(String setting) {
        this.enabledSetting = setting;
    }

    /** The path the provider is told to call, for the start line. */
    public void setPath(String path) {
        this.path = path == null ? "" : path;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** True when every required setting has a value; decided and logged on the first call. */
    public synchronized boolean isEnabled() {
        if (enabled == null) {
            List<String> missing = missingSettings();
            enabled = missing.isEmpty();
            if (enabled) {
                LOG.info("Provider {} receives callbacks at POST {}", provider, path);
            } else {
                LOG.info("Provider {} is off (its route is not started): set {}", provider, String.join(", ", missing));
            }
        }
        return enabled;
    }

    List<String> missingSettings() {
        List<String> missing = new ArrayList<>();
        if (!switchedOn) {
            missing.add((enabledSetting == null ? "providers." + provider + ".enabled" : enabledSetting) + "=true");
        }
        for (String key : requiredSettings.split(",")) {
            String k = key.trim();
            if (k.isEmpty()) {
                continue;
            }
            boolean set = false;
            for (String alternative : k.split("\\|")) {
                set |= isSet(alternative.trim());
            }
            if (!set) {
                missing.add(k.replace("|", " or "));
            }
        }
        return missing;
    }

    private boolean isSet(String key) {
        String value = camelContext == null || key.isEmpty() ? null
                : camelContext.getPropertiesComponent().resolveProperty(key).orElse(null);
        return value != null && !value.isBlank();
    }
}
