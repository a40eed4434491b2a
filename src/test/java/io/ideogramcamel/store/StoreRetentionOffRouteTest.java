package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import io.ideogramcamel.testing.BundleTestSupport;
import org.junit.jupiter.api.Test;

/** The default bundle keeps every row: no retention route exists. */
class StoreRetentionOffRouteTest extends BundleTestSupport {

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-retention-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Test
    void noRetentionRouteRunsByDefault() {
        assertThat(context().getRoute("store-retention")).isNull();
        assertThat(context().getRoute("webhook-receive")).isNotNull();
    }
}
