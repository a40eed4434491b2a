package io.ideogramcamel.edge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before Camel starts anything, checks that the HTTP server's port (and the management port, when it
 * is another one) can be bound. Without this, Vert.x only logs a WARN and the bundle runs on with no
 * webhook and no health checks while its timers go on submitting and archiving.
 */
public final class PortCheck extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(PortCheck.class);

    @Override
    public void afterConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        String host = setting(context, "camel.server.host", "0.0.0.0");
        int port = Integer.parseInt(setting(context, "camel.server.port", "8080"));
        check(host, port, "camel.server.port (CAMEL_SERVER_PORT)");
        if (Boolean.parseBoolean(setting(context, "camel.management.enabled", "false"))) {
            int managementPort = Integer.parseInt(setting(context, "camel.management.port", "9876"));
            if (managementPort != port) {
                check(setting(context, "camel.management.host", host), managementPort,
                        "camel.management.port (CAMEL_MANAGEMENT_PORT)");
            }
        }
    }

    private static String setting(CamelContext context, String key, String fallback) {
        return context.resolvePropertyPlaceholders("{{" + key + ":" + fallback + "}}").trim();
    }

    static void check(String host, int port, String setting) {
        if (port <= 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            String reason = "port " + port + " on " + host + " cannot be bound (" + e.getMessage()
                    + "): another process holds it; stop it or choose a free port with " + setting;
            LOG.error("Not starting: {}", reason);
            throw new PortInUseException(reason);
        }
    }

    /** Stops the start; the launcher exits non-zero without a stack trace (the reason is logged). */
    public static final class PortInUseException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String reason) {
            super(reason, null, false, false);
        }
    }
}
