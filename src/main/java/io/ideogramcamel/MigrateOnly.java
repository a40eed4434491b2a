package io.ideogramcamel;

import java.util.Properties;

import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.StoreUnavailableException;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code java -jar ideogram-camel.jar --migrate-only}: applies the store's pending schema migrations
 * and exits, starting no route and no server. For operators who run migrations as their own deploy
 * step (with {@code store.migration.at-start=false} on the instances) rather than letting the first
 * instance of a rollout apply them.
 */
final class MigrateOnly {

    private MigrateOnly() {
    }

    /**
     * Reads the store settings the way the bundle does (the same files, the environment over them)
     * and migrates.
     *
     * @return the process exit code: 0 when the schema is current, 1 when it could not be migrated
     */
    static int run(String propertyLocations, Properties overrides) {
        CamelContext settings = new DefaultCamelContext();
        try {
            settings.getPropertiesComponent().setLocation(propertyLocations);
            if (overrides != null) {
                settings.getPropertiesComponent().setOverrideProperties(overrides);
            }
            GenerationStore store = new GenerationStore();
            store.setJdbcUrl(settings.resolvePropertyPlaceholders("{{store.jdbc-url}}"));
            store.setUsername(settings.resolvePropertyPlaceholders("{{store.username}}"));
            store.setPassword(settings.resolvePropertyPlaceholders("{{store.password}}"));
            store.setConnectionTimeoutMillis(Long.parseLong(
                    settings.resolvePropertyPlaceholders("{{store.connection-timeout-millis}}")));
            store.setMigrationLockTimeoutMillis(Long.parseLong(
                    settings.resolvePropertyPlaceholders("{{store.migration.lock-timeout-millis}}")));
            int applied = store.migrate();
            System.out.println("ideogram-camel: store schema is current (" + applied + " migration(s) applied)");
            return 0;
        } catch (StoreUnavailableException e) {
            // the cause (lock not granted, database away) was logged by the store, without credentials
            System.err.println("ideogram-camel: store schema NOT migrated: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println("ideogram-camel: store schema NOT migrated: " + e.getClass().getSimpleName()
                    + " reading the store settings");
            return 1;
        } finally {
            settings.stop();
        }
    }
}
