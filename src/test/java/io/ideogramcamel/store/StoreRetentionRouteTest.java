package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import org.junit.jupiter.api.Test;

/** With a retention set, its timer route runs; without one (the default) it does not exist (see StoreRetentionOffRouteTest). */
class StoreRetentionRouteTest extends BundleTestSupport {

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-retention-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) {
        properties.set("store.retention.failed-days", "14");
    }

    @Test
    void theRetentionRouteRunsWhenARetentionIsSet() {
        assertThat(context().getRoute("store-retention")).isNotNull();
    }
}
