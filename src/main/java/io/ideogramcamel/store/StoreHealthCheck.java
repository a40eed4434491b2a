package io.ideogramcamel.store;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of the generation store, id {@code ideogram/store}: DOWN while the store cannot be used,
 * so a load balancer stops sending webhooks this instance could only answer with 503.
 *
 * <p>Readiness only, never liveness: a database outage is not cured by restarting the bundle, and
 * a failing liveness check would make Kubernetes kill every pod at once.
 *
 * <p>The result carries a fixed message and no exception text or URL (health output is often
 * public).
 */
public class StoreHealthCheck extends AbstractHealthCheck {

    private GenerationStore store;

    public StoreHealthCheck() {
        super("ideogram", "store");
    }

    public void setStore(GenerationStore store) {
        this.store = store;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    /**
     * Adds this check to the context's health-check registry; for a YAML bean's {@code initMethod}.
     * Camel sets the context on a bean bound in its registry before calling the init method.
     *
     * <p>Optional where camel-health's registry repository is on (the default,
     * {@code camel.health.registry-enabled=true}): it already finds a HealthCheck bean in Camel's
     * registry. (Under the default exposure level an UP check is folded into one summary result,
     * which makes it look absent; {@code camel.health.exposure-level=full} lists it.) Registering
     * as well does no harm: the registry refuses a second check with the same id, and its stream
     * drops equal checks.
     *
     * @throws IllegalStateException without a CamelContext or without camel-health
     */
    public void register() {
        CamelContext context = getCamelContext();
        if (context == null) {
            throw new IllegalStateException("StoreHealthCheck needs the CamelContext before register()");
        }
        HealthCheckRegistry registry = HealthCheckHelper.getHealthCheckRegistry(context);
        if (registry == null) {
            throw new IllegalStateException("no health-check registry: is camel-health on the classpath?");
        }
        registry.register(this);
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String reason = store == null ? "not configured" : store.unavailableReason();
        if (reason == null) {
            builder.up();
        } else {
            // the cause goes to the log (rate-limited), never into the health answer
            if (store != null) {
                store.warnUnavailable("answer the readiness check", reason);
            }
            builder.message("generation store unavailable");
            builder.down();
        }
    }
}
