package io.ideogramcamel.store;

import io.ideogramcamel.testing.TcpForwarder;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.await;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The readiness check in a real CamelContext with camel-health, declared in Java and in YAML. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreHealthCheckTest {

    private H2Database db;
    private CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        db = new H2Database();
        camel = new DefaultCamelContext();
        // The default exposure folds UP checks into one result; "full" lists each check.
        HealthCheckHelper.getHealthCheckRegistry(camel).setExposureLevel("full");
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
        db.close();
    }

    private static Optional<HealthCheck.Result> storeResult(Collection<HealthCheck.Result> results) {
        return results.stream().filter(r -> r.getCheck().getId().equals("store")).findFirst();
    }

    private static void assertRevealsNothing(HealthCheck.Result result, String... secrets) {
        assertThat(result.getError()).isEmpty();
        String rendered = result.getMessage().orElse("") + " " + result.getDetails();
        for (String secret : secrets) {
            assertThat(rendered).doesNotContain(secret);
        }
    }

    @Test
    void readinessFollowsTheStoreAndLivenessIgnoresIt() throws Exception {
        try (PostgresDatabase pg = new PostgresDatabase(); TcpForwarder forwarder = new TcpForwarder(5432)) {
            GenerationStore store = newStore(pg.jdbcUrlThroughPort(forwarder.port()), pg.username());
            store.start();
            try {
                StoreHealthCheck check = new StoreHealthCheck();
                check.setStore(store);
                check.setCamelContext(camel);
                check.register();
                camel.start();

                HealthCheck.Result up = storeResult(HealthCheckHelper.invokeReadiness(camel)).orElseThrow();
                assertThat(up.getState()).isEqualTo(HealthCheck.State.UP);
                assertThat(up.getCheck().getGroup()).isEqualTo("ideogram");
                assertThat(storeResult(HealthCheckHelper.invokeLiveness(camel))).isEmpty();

                forwarder.close();
                HealthCheck.Result down = storeResult(HealthCheckHelper.invokeReadiness(camel)).orElseThrow();
                assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
                assertRevealsNothing(down, "jdbc", "127.0.0.1", String.valueOf(forwarder.port()), pg.schema.name(), "postgres");
                assertThat(HealthCheckHelper.isResultsUp(HealthCheckHelper.invokeLiveness(camel), false)).isTrue();

                forwarder.open();
                await(Duration.ofSeconds(20), () -> storeResult(HealthCheckHelper.invokeReadiness(camel))
                        .orElseThrow().getState() == HealthCheck.State.UP);
            } finally {
                store.stop();
            }
        }
    }

    @Test
    void aStoppedStoreIsNotReady() throws Exception {
        GenerationStore store = newStore(db.jdbcUrl(), db.username());
        store.start();
        StoreHealthCheck check = new StoreHealthCheck();
        check.setStore(store);
        check.setCamelContext(camel);
        check.register();
        check.register();
        camel.start();
        assertThat(HealthCheckHelper.invokeReadiness(camel).stream().filter(r -> r.getCheck().getId().equals("store")))
                .as("registered once").hasSize(1);

        store.stop();

        HealthCheck.Result down = storeResult(HealthCheckHelper.invokeReadiness(camel)).orElseThrow();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertRevealsNothing(down, "jdbc", db.dir.toString());
    }

    /**
     * camel-health's registry repository picks up a HealthCheck bound in Camel's registry by itself
     * (camel.health.registry-enabled, true by default), as readiness only; register() is optional.
     */
    @Test
    void aCheckBoundInTheRegistryIsFoundWithoutRegister() throws Exception {
        GenerationStore store = newStore(db.jdbcUrl(), db.username());
        store.start();
        try {
            StoreHealthCheck check = new StoreHealthCheck();
            check.setStore(store);
            camel.getRegistry().bind("storeHealthCheck", check);
            camel.start();

            assertThat(storeResult(HealthCheckHelper.invokeReadiness(camel)).orElseThrow().getState())
                    .isEqualTo(HealthCheck.State.UP);
            assertThat(storeResult(HealthCheckHelper.invokeLiveness(camel))).isEmpty();
        } finally {
            store.stop();
        }
    }

    /**
     * The beans exactly as a route file declares them (setters as properties, init and destroy
     * methods), and the EIP as the webhook route uses it.
     */
    @Test
    void theBeansWorkWhenDeclaredInYaml() throws Exception {
        String yaml = """
                - beans:
                    - name: generationStore
                      type: "#class:io.ideogramcamel.store.GenerationStore"
                      initMethod: start
                      destroyMethod: stop
                      properties:
                        jdbcUrl: "%s"
                        username: sa
                        password: ""
                        poolSize: 4
                        connectionTimeoutMillis: 500
                        maxBatchSize: 32
                        acceptTimeoutMillis: 3000
                    - name: generationRepository
                      type: "#class:io.ideogramcamel.store.GenerationIdempotentRepository"
                      properties:
                        store: "#bean:generationStore"
                        cacheSize: 1000
                    - name: storeHealthCheck
                      type: "#class:io.ideogramcamel.store.StoreHealthCheck"
                      initMethod: register
                      properties:
                        store: "#bean:generationStore"
                - route:
                    id: accept
                    from:
                      uri: direct:accept
                      steps:
                        - idempotentConsumer:
                            idempotentRepository: generationRepository
                            eager: true
                            skipDuplicate: false
                            removeOnFailure: false
                            exchangeProperty: %s
                            steps:
                              - setBody:
                                  constant: inside
                """.formatted(db.jdbcUrl(), GenerationExchange.GENERATION_ID);
        Resource resource = ResourceHelper.fromString("store-beans.camel.yaml", yaml);
        PluginHelper.getRoutesLoader(camel).loadRoutes(resource);
        camel.start();

        HealthCheck.Result ready = storeResult(HealthCheckHelper.invokeReadiness(camel)).orElseThrow();
        assertThat(ready.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(HealthCheckHelper.invokeReadiness(camel).stream().filter(r -> r.getCheck().getId().equals("store")))
                .hasSize(1);

        List<Exchange> sent = List.of(send("gen-yaml"), send("gen-yaml"));
        assertThat(sent.get(0).getException()).isNull();
        assertThat(sent.get(0).getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE)).isNull();
        assertThat(sent.get(1).getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();
        GenerationStore store = camel.getRegistry().lookupByNameAndType("generationStore", GenerationStore.class);
        assertThat(store.find("gen-yaml").orElseThrow().images()).isEqualTo(IMAGES);

        camel.close();
        assertThat(store.isAvailable()).as("destroyMethod stopped the store").isFalse();
    }

    private Exchange send(String id) {
        return camel.createProducerTemplate().send("direct:accept", e -> {
            e.setProperty(GenerationExchange.GENERATION_ID, id);
            e.setProperty(GenerationExchange.IMAGES, IMAGES);
        });
    }
}
