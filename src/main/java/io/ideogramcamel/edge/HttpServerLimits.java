package io.ideogramcamel.edge;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * Bounds what one client can hold of the shared HTTP server (webhook, API, health, metrics).
 * camel-platform-http-main builds its Vert.x server with fixed default options, but takes the
 * {@link Vertx} instance from the registry: this class is the builder of that instance (the
 * settings are its properties), and {@link #vertx()} makes one whose HTTP servers get these limits
 * (see {@link LimitingVertx}).
 *
 * <ul>
 * <li>idle timeout: a connection with no byte read or written for this long is closed;</li>
 * <li>max connections: a connection accepted beyond it is closed at once, before any byte is read;</li>
 * <li>max header size and max initial line length: above them Vert.x answers 431 or 414, with
 * {@code Connection: close}, and closes (the body limit, 413, is camel.server.max-body-size).</li>
 * </ul>
 * Cleartext HTTP/2 upgrades are off: the webhook and the API speak HTTP/1.1, and the h2c probe would
 * hold a connection uncounted until its first byte.
 */
public class HttpServerLimits {

    private int idleTimeoutSeconds = 60;
    private int maxConnections = 1000;
    private int maxHeaderBytes = 8192;
    private int maxInitialLineBytes = 4096;
    private int closeLingerMillis = 2000;
    private final List<ConnectionGuard> guards = new CopyOnWriteArrayList<>();
    private ServingSwitch servingSwitch;
    private long startHoldMillis = 10_000;

    public void setIdleTimeoutSeconds(int idleTimeoutSeconds) {
        this.idleTimeoutSeconds = atLeastOne(idleTimeoutSeconds, "idleTimeoutSeconds");
    }

    public void setMaxConnections(int maxConnections) {
        this.maxConnections = atLeastOne(maxConnections, "maxConnections");
    }

    public void setMaxHeaderBytes(int maxHeaderBytes) {
        this.maxHeaderBytes = atLeastOne(maxHeaderBytes, "maxHeaderBytes");
    }

    public void setMaxInitialLineBytes(int maxInitialLineBytes) {
        this.maxInitialLineBytes = atLeastOne(maxInitialLineBytes, "maxInitialLineBytes");
    }

    /**
     * Until it says the routes are started a request waits (at most the start hold), and from their
     * stop on it is answered 503 starting (see {@link ServingGate}); none: requests always reach the router.
     */
    public void setServingSwitch(ServingSwitch servingSwitch) {
        this.servingSwitch = servingSwitch;
    }

    /** How long a request that comes while the routes start waits for them before its 503; 0: none waits. */
    public void setStartHoldMillis(long startHoldMillis) {
        this.startHoldMillis = Math.max(0, startHoldMillis);
    }

    /** After a 413, how long the rest of the body is still read (and dropped) before the close. */
    public void setCloseLingerMillis(int closeLingerMillis) {
        this.closeLingerMillis = Math.max(0, closeLingerMillis);
    }

    /**
     * The Vert.x instance for the registry; the platform-http server finds it by type. The real
     * instance is made on first use: the YAML DSL builds every bean twice (once while pre-parsing the
     * file), and only the first copy, which the server finds, should start Vert.x threads.
     */
    public Vertx vertx() {
        return LimitingVertx.wrap(Vertx::vertx, this);
    }

    /** Connections open now on servers made by {@link #vertx()}, all servers together. */
    public int openConnections() {
        return guards.stream().mapToInt(ConnectionGuard::open).sum();
    }

    /** The limits a Vert.x instance made by {@link #vertx()} applies; null for any other instance. */
    public static HttpServerLimits of(Vertx vertx) {
        return LimitingVertx.limitsOf(vertx);
    }

    HttpServerOptions apply(HttpServerOptions given) {
        return new HttpServerOptions(given)
                .setIdleTimeout(idleTimeoutSeconds)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxInitialLineLength(maxInitialLineBytes)
                .setHttp2ClearTextEnabled(false);
    }

    /*
     * A count per server: with a management port of its own, a flood of sockets on the public webhook
     * port must not close the health probes' connections.
     */
    HttpServer guard(HttpServer server) {
        ConnectionGuard guard = new ConnectionGuard(maxConnections, closeLingerMillis);
        guards.add(guard);
        return ServingGate.wrap(server.connectionHandler(guard), servingSwitch, startHoldMillis);
    }

    private static int atLeastOne(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1");
        }
        return value;
    }
}
