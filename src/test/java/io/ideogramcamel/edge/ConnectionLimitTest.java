package io.ideogramcamel.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.junit.jupiter.api.Test;

/** Connections beyond http.max-connections are closed at once, unanswered; a freed place is reused. */
class ConnectionLimitTest extends BundleTestSupport {

    private static final int LIMIT = 3;
    private static final String LIVE = "GET /observe/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-connections-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("http.max-connections", Integer.toString(LIMIT));
    }

    private int port() {
        return context().hasService(VertxPlatformHttpServer.class).getPort();
    }

    @Test
    void aConnectionBeyondTheLimitIsClosedUnansweredUntilAPlaceIsFree() throws Exception {
        HttpServerLimits limits = HttpServerLimits.of(context().hasService(VertxPlatformHttpServer.class).getVertx());
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT; i++) {
                RawHttp http = new RawHttp(port());
                held.add(http);
                http.send(LIVE);
                assertThat(http.readHead()).startsWith("http/1.1 200");
            }
            assertThat(limits.openConnections()).isEqualTo(LIMIT);

            try (RawHttp refused = new RawHttp(port())) {
                assertThat(refused.closedByServer()).isTrue();
            }

            held.remove(0).close();
            assertThat(servedWithinBound()).isTrue();
        } finally {
            for (RawHttp http : held) {
                http.close();
            }
        }
    }

    /** A new connection is served once the server has noticed the freed place (bounded tries). */
    private boolean servedWithinBound() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (RawHttp http = new RawHttp(port())) {
                http.send(LIVE);
                if (http.readHead().startsWith("http/1.1 200")) {
                    return true;
                }
            }
            Thread.sleep(100);
        }
        return false;
    }
}
