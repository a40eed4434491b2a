package io.ideogramcamel.store;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Health check {@code ideogram/api-url}: DOWN while the {@link ApiUrlGuard} refuses to call
 * Ideogram because the store remembers another API URL. Asking decides (and, on a fresh store,
 * records the URL).
 *
 * <p>Neither readiness nor liveness: webhooks must keep arriving (accepting results is harmless),
 * and a restart changes nothing. It shows in {@code /observe/health}. The message names the setting,
 * not the URLs (health output is often public; the ERROR log line has them).
 */
public class ApiUrlHealthCheck extends AbstractHealthCheck {

    private ApiUrlGuard guard;

    public ApiUrlHealthCheck() {
        super("ideogram", "api-url");
    }

    public void setGuard(ApiUrlGuard guard) {
        this.guard = guard;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        ApiUrlGuard.Decision decision = guard == null ? ApiUrlGuard.Decision.UNDECIDED : guard.decide();
        builder.detail("decision", decision.name());
        if (decision == ApiUrlGuard.Decision.REFUSED) {
            builder.message("the store was used with another Ideogram API URL: nothing is sent or polled until "
                    + "ideogram.api-url matches it or ideogram.allow-api-url-change=true");
            builder.down();
        } else {
            builder.up();
        }
    }
}
