package io.ideogramcamel.edge;

import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the server's open connections and closes, at once and without an answer, every one accepted
 * beyond the limit (Vert.x 4 has no limit of its own, and no HTTP answer can be written before a
 * request arrives). Each admitted connection also gets {@link CloseAnnouncer}, so the refusals Vert.x
 * answers by closing (431, 414, 413) say {@code Connection: close}.
 */
final class ConnectionGuard implements Handler<HttpConnection> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final int maxConnections;
    private final int closeLingerMillis;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionGuard(int maxConnections, int closeLingerMillis) {
        this.maxConnections = maxConnections;
        this.closeLingerMillis = closeLingerMillis;
    }

    int open() {
        return open.get();
    }

    @Override
    public void handle(HttpConnection connection) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            LOG.warn("connection refused: {} connections open already (camel.server limit)", maxConnections);
            connection.close();
            return;
        }
        connection.closeHandler(closed -> open.decrementAndGet());
        if (connection instanceof ConnectionBase base) {
            CloseAnnouncer.install(base.channelHandlerContext().pipeline(), closeLingerMillis);
        }
    }
}
