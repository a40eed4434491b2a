package io.ideogramcamel.edge;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.support.LifecycleStrategySupport;

/**
 * Says whether the HTTP server's requests may reach the routes ({@link ServingGate}): from the moment
 * Camel has started every route until it begins to stop. Before that a request waits for the start;
 * after it, a request is answered 503 rather than by an empty router's 404.
 */
public class ServingSwitch extends LifecycleStrategySupport implements CamelContextAware {

    private CamelContext camelContext;
    private volatile boolean serving;
    private volatile boolean started;

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        // adding a strategy hands it the context again
        if (this.camelContext == camelContext) {
            return;
        }
        this.camelContext = camelContext;
        camelContext.addLifecycleStrategy(this);
    }

    public boolean isServing() {
        return serving;
    }

    /** True until Camel has started: then a request is worth holding a moment; after a stop it is not. */
    public boolean isStarting() {
        return !started;
    }

    @Override
    public void onContextStarted(CamelContext context) {
        started = true;
        serving = true;
    }

    @Override
    public void onContextStopping(CamelContext context) {
        serving = false;
    }
}
