package io.ideogramcamel.testing;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Boots the very routes/ and application.properties the jar runs, on a free loopback port, with a
 * signing Ideogram stand-in for the JWKS. Subclasses choose the store and add their settings.
 */
@CamelMainTest(
        propertyPlaceholderLocations = {
                "file:application.properties;optional=true", "classpath:application.properties;optional=true" },
        properties = { "camel.server.host=127.0.0.1" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BundleTestSupport {

    /** Short, so a test can wait out the window; the forged-request test bounds fetches by it. */
    protected static final long MIN_REFETCH_SECONDS = 2;

    protected final BundleProperties properties = new BundleProperties();
    protected IdeogramStandIn ideogram;
    /** The port the bundle under test listens on, known before it starts. */
    protected int serverPort;

    /** The JDBC URL of the store the bundle under test uses. */
    protected abstract String storeJdbcUrl() throws Exception;

    @Configure
    protected void configure(MainConfigurationProperties configuration) throws Exception {
        ideogram = new IdeogramStandIn();
        // chosen before start, so settings that name the bundle's own URL (the webhook_url) can use it
        serverPort = BundleProcess.freePort();
        properties.set("camel.server.port", Integer.toString(serverPort))
                .set("ideogram.jwks-url", ideogram.jwksUrl())
                .set("store.jdbc-url", storeJdbcUrl())
                .set("store.connection-timeout-millis", "1000")
                .set("ideogram.jwks.min-refetch-seconds", Long.toString(MIN_REFETCH_SECONDS))
                // each test class gets its own local image folder unless it configures S3
                .set("storage.dir", java.nio.file.Files.createTempDirectory("ideogram-images-").toString());
        configureBundle(properties);
    }

    /** Further settings of a test class (S3, image hosts, timings), decided at run time. */
    protected void configureBundle(BundleProperties properties) throws Exception {
    }

    @AfterAll
    void stopStandIn() {
        properties.restore();
        if (ideogram != null) {
            ideogram.close();
        }
    }

    @BeanInject
    protected CamelContext context;

    protected CamelContext context() {
        return context;
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + context().hasService(VertxPlatformHttpServer.class).getPort();
    }

    protected GenerationStore store() {
        return context().getRegistry().lookupByNameAndType("generationStore", GenerationStore.class);
    }

    public HttpResponse<String> deliver(Map<String, String> headers, byte[] body) {
        return Http.post(baseUrl() + "/webhooks/ideogram", headers, body);
    }

    /** A correctly signed delivery of a fresh generation with {@code images} images. */
    protected HttpResponse<String> deliverSigned(String generationId, int images) {
        byte[] body = IdeogramStandIn.deliveryBody(generationId, images);
        return deliver(ideogram.sign(generationId, body), body);
    }

    /** Waits, bounded, until the generation reaches {@code state}; returns its row. */
    protected GenerationRecord awaitState(String generationId, GenerationState state, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        GenerationRecord row = null;
        while (System.nanoTime() < deadline) {
            row = store().find(generationId).orElse(null);
            if (row != null && row.state() == state) {
                return row;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("generation " + generationId + " not " + state + " within " + timeout + ": " + row);
    }

    protected static void closeQuietly(AutoCloseable closeable) throws IOException {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
