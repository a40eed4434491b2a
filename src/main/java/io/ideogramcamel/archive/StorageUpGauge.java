package io.ideogramcamel.archive;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;

/**
 * Publishes the bucket's last known state as the gauge {@code ideogram_storage_up} (1 up, 0 down),
 * so an S3 outage shows on dashboards and alerts although it no longer affects readiness.
 */
public class StorageUpGauge {

    /** Camel binds its Micrometer registry under this name (camel.metrics.enabled=true). */
    static final String METRICS_REGISTRY = "metricsRegistry";
    static final String NAME = "ideogram.storage.up";

    private S3BucketHealthCheck healthCheck;
    private volatile boolean bound;

    public void setHealthCheck(S3BucketHealthCheck healthCheck) {
        this.healthCheck = healthCheck;
    }

    /**
     * Registers the gauge once; called from the storage-probe timer, because the metrics registry
     * is bound only as the context starts, after the route files' beans are made.
     */
    public synchronized void bind(Exchange exchange) {
        if (bound) {
            return;
        }
        MeterRegistry registry = exchange.getContext().getRegistry()
                .lookupByNameAndType(METRICS_REGISTRY, MeterRegistry.class);
        if (registry != null) {
            Gauge.builder(NAME, healthCheck, check -> check.isUp() ? 1 : 0)
                    .description("1 while the object store (S3 bucket) answers, 0 while it does not")
                    .strongReference(true)
                    .register(registry);
            bound = true;
        }
    }
}
