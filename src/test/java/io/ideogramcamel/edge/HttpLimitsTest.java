package io.ideogramcamel.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import io.ideogramcamel.store.ListPage;
import io.ideogramcamel.submit.SubmissionLedger;
import io.ideogramcamel.submit.SubmissionState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.IdeogramStandIn;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.junit.jupiter.api.Test;

/**
 * The shared HTTP server's limits, seen on the wire: oversized headers and request lines are
 * answered with Connection: close and closed, an oversized body (the default 256 KiB limit) is
 * answered 413 with Connection: close, closed, and nothing is stored, and an idle connection is closed.
 */
class HttpLimitsTest extends BundleTestSupport {

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-limits-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("http.idle-timeout-seconds", "1")
                .set("http.max-header-bytes", "2048")
                .set("http.max-initial-line-bytes", "1024")
                .set("http.close-linger-millis", "200");
    }

    private int port() {
        return context().hasService(VertxPlatformHttpServer.class).getPort();
    }

    @Test
    void anOversizedHeaderIsAnswered431WithConnectionCloseAndClosed() throws Exception {
        try (RawHttp http = new RawHttp(port())) {
            http.send("GET /observe/health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(4096)
                    + "\r\n\r\n");

            String head = http.readHead();
            assertThat(head).startsWith("http/1.1 431").contains("connection: close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void anOversizedRequestLineIsAnswered414WithConnectionCloseAndClosed() throws Exception {
        try (RawHttp http = new RawHttp(port())) {
            http.send("GET /generations/" + "a".repeat(2048) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

            // Vert.x answers this one as HTTP/1.0
            assertThat(http.readHead()).matches("(?s)http/1\\.[01] 414 .*").contains("connection: close");
            assertThat(http.closedByServer()).isTrue();
        }
    }

    @Test
    void anOversizedBodyIsAnswered413WithConnectionCloseClosedAndNothingStored() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        for (String path : new String[] { "/webhooks/ideogram", "/generations" }) {
            try (RawHttp http = new RawHttp(port())) {
                http.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + (262_144 + 1) + "\r\n\r\n{\"generation_id\":\"" + id + "\"");

                assertThat(http.readHead()).as(path).startsWith("http/1.1 413").contains("connection: close");
                assertThat(http.closedByServer()).as(path).isTrue();
            }
        }
        assertThat(store().find(id)).isEmpty();
        SubmissionLedger ledger = context().getRegistry().lookupByNameAndType("submissionLedger", SubmissionLedger.class);
        for (SubmissionState state : SubmissionState.values()) {
            assertThat(ledger.list(state, 10, ListPage.FIRST)).as(state.name()).isEmpty();
        }
    }

    @Test
    void aRequestWithinTheLimitsIsServedAndKeptAlive() throws Exception {
        try (RawHttp http = new RawHttp(port())) {
            http.send("GET /observe/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n");

            assertThat(http.readHead()).startsWith("http/1.1 200").doesNotContain("connection: close");
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (RawHttp http = new RawHttp(port())) {
            // nothing sent: the idle timeout (1 s here) closes it, well within the read bound
            assertThat(http.closedByServer()).isTrue();
        }
    }
}
