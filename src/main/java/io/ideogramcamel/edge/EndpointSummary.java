package io.ideogramcamel.edge;

import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints where the HTTP servers actually listen, once started: camel-platform-http-main's own
 * summary always prints http://0.0.0.0 whatever camel.server.host binds (its logger is turned down in
 * log4j2.properties).
 */
public final class EndpointSummary extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EndpointSummary.class);

    @Override
    public void afterStart(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        Set<String> paths = new TreeSet<>();
        PlatformHttpComponent http = context.hasComponent("platform-http") instanceof PlatformHttpComponent component
                ? component : null;
        if (http != null) {
            for (HttpEndpointModel endpoint : http.getHttpEndpoints()) {
                paths.add(endpoint.getUri() + (endpoint.getVerbs() == null ? "" : " (" + endpoint.getVerbs() + ")"));
            }
        }
        for (VertxPlatformHttpServer server : context.hasServices(VertxPlatformHttpServer.class)) {
            int port = server.getServer() == null ? 0 : server.getServer().actualPort();
            LOG.info("HTTP server listening on http://{}:{}", hostForUrl(server.getHost()), port);
        }
        paths.forEach(path -> LOG.info("    {}", path));
    }

    private static String hostForUrl(String host) {
        return host != null && host.contains(":") ? "[" + host + "]" : host;
    }
}
