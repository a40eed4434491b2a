package io.ideogramcamel.observe;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

/** Finds the Micrometer registry Camel serves at /observe/metrics. */
final class MetricsRegistry {

    /** Camel binds its registry under this name (camel.metrics.enabled=true) as the context starts. */
    static final String NAME = "metricsRegistry";

    private MetricsRegistry() {
    }

    /** The registry, or null while the context has not bound it yet (or metrics are off). */
    static MeterRegistry of(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(NAME, MeterRegistry.class);
    }
}
