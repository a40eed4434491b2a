package io.ideogramcamel.store;

import io.ideogramcamel.testing.TcpForwarder;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.IMAGES;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.await;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.concurrently;
import static io.ideogramcamel.store.AbstractGenerationStoreTest.newStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.store.AbstractGenerationStoreTest.H2Database;
import io.ideogramcamel.store.AbstractGenerationStoreTest.PostgresDatabase;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The repository over a real store (H2 file; PostgreSQL behind a forwarder for the outage), inside a real route. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GenerationIdempotentRepositoryTest {

    private H2Database db;
    private GenerationStore store;
    private GenerationIdempotentRepository repository;
    private CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        db = new H2Database();
        store = newStore(db.jdbcUrl(), db.username());
        store.start();
        repository = new GenerationIdempotentRepository();
        repository.setStore(store);
        camel = new DefaultCamelContext();
    }

    @AfterEach
    void stop() throws Exception {
        camel.close();
        store.stop();
        db.close();
    }

    private Exchange delivery(String source, String created, String images) {
        Exchange exchange = new DefaultExchange(camel);
        if (source != null) {
            exchange.setProperty(GenerationExchange.SOURCE, source);
        }
        exchange.setProperty(GenerationExchange.CREATED, created);
        exchange.setProperty(GenerationExchange.IMAGES, images);
        return exchange;
    }

    @Test
    void addRecordsTheDeliveryFromTheExchangeProperties() {
        assertThat(repository.add(delivery(null, "2025-06-01T10:00:00Z", IMAGES), "gen-a")).isTrue();

        GenerationRecord r = store.find("gen-a").orElseThrow();
        assertThat(r.state()).isEqualTo(GenerationState.RECEIVED);
        assertThat(r.source()).as("webhook by default").isEqualTo("webhook");
        assertThat(r.created()).isEqualTo("2025-06-01T10:00:00Z");
        assertThat(r.images()).isEqualTo(IMAGES);
        assertThat(repository.add(delivery("poll", null, "[]"), "gen-a")).isFalse();
        assertThat(store.find("gen-a")).contains(r);
    }

    @Test
    void theCacheAnswersADuplicateWithoutTheDatabase() throws Exception {
        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-c")).isTrue();
        db.execute("DELETE FROM generation WHERE generation_id = 'gen-c'");

        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-c")).isFalse();
        assertThat(repository.contains("gen-c")).isTrue();
        assertThat(store.find("gen-c")).isEmpty();

        repository.clear();
        assertThat(repository.contains("gen-c")).isFalse();
        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-c")).isTrue();
    }

    @Test
    void aDuplicateFoundInTheStoreIsCachedToo() throws Exception {
        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-d")).isTrue();
        repository.clear();

        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-d")).isFalse();
        db.execute("DELETE FROM generation WHERE generation_id = 'gen-d'");
        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-d")).isFalse();
    }

    @Test
    void containsLooksThroughToTheStoreAndIgnoresASubmittedRow() throws Exception {
        store.find("schema");
        db.execute("INSERT INTO generation (generation_id, state, updated_at) VALUES ('gen-s', 'SUBMITTED', 1)");
        db.execute("INSERT INTO generation (generation_id, state, updated_at) VALUES ('gen-r', 'ARCHIVED', 1)");

        assertThat(repository.contains("gen-r")).isTrue();
        assertThat(repository.contains("gen-s")).as("still waiting for its delivery").isFalse();
        assertThat(repository.contains("gen-unknown")).isFalse();
        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-s")).isTrue();
        assertThat(repository.contains("gen-s")).isTrue();
    }

    @Test
    void twentyConcurrentDeliveriesOfOneIdAcceptExactlyOne() throws Exception {
        List<Boolean> outcomes = concurrently(20, i -> repository.add(delivery("webhook", null, IMAGES), "gen-20"));

        assertThat(outcomes.stream().filter(b -> b)).hasSize(1);
        assertThat(db.countRows("generation_id = 'gen-20'")).isEqualTo(1);
    }

    @Test
    void confirmAndRemoveDoNothingAndAddWithoutAnExchangeIsRefused() {
        assertThat(repository.add(delivery("webhook", null, IMAGES), "gen-n")).isTrue();

        assertThat(repository.confirm("gen-n")).isTrue();
        assertThat(repository.remove("gen-n")).isFalse();
        assertThat(repository.contains("gen-n")).isTrue();
        assertThat(store.find("gen-n")).isPresent();
        assertThatThrownBy(() -> repository.add("gen-x")).isInstanceOf(UnsupportedOperationException.class);
        repository.stop();
        assertThat(store.isAvailable()).as("stopping the repository leaves the shared store running").isTrue();
    }

    @Test
    void aFailedAcceptLeavesTheKeyUnmarkedSoTheRetrySucceeds() throws Exception {
        try (PostgresDatabase pg = new PostgresDatabase(); TcpForwarder forwarder = new TcpForwarder(5432)) {
            GenerationStore pgStore = newStore(pg.jdbcUrlThroughPort(forwarder.port()), pg.username());
            pgStore.start();
            try {
                GenerationIdempotentRepository repo = new GenerationIdempotentRepository();
                repo.setStore(pgStore);
                forwarder.close();

                assertThatThrownBy(() -> repo.add(delivery("webhook", null, IMAGES), "gen-retry"))
                        .isInstanceOf(StoreUnavailableException.class);

                forwarder.open();
                await(Duration.ofSeconds(20), pgStore::isAvailable);
                assertThat(repo.contains("gen-retry")).isFalse();
                assertThat(repo.add(delivery("webhook", null, IMAGES), "gen-retry")).isTrue();
                assertThat(repo.add(delivery("webhook", null, IMAGES), "gen-retry")).isFalse();
            } finally {
                pgStore.stop();
            }
        }
    }

    /** The EIP as the webhook route uses it: eager, duplicates flow on (marked), no removal on failure. */
    @Test
    void insideTheIdempotentConsumerADuplicateIsMarkedAndAStoreFailureIsTheExchangesException() throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:accept")
                        .idempotentConsumer(exchangeProperty(GenerationExchange.GENERATION_ID))
                        .idempotentRepository(repository)
                        .eager(true).skipDuplicate(false).removeOnFailure(false)
                        .setBody(constant("inside"))
                        .end();
            }
        });
        camel.start();
        ProducerTemplate producer = camel.createProducerTemplate();

        Exchange first = producer.send("direct:accept", e -> {
            e.setProperty(GenerationExchange.GENERATION_ID, "gen-route");
            e.setProperty(GenerationExchange.IMAGES, IMAGES);
        });
        Exchange second = producer.send("direct:accept", e -> {
            e.setProperty(GenerationExchange.GENERATION_ID, "gen-route");
            e.setProperty(GenerationExchange.IMAGES, IMAGES);
        });

        assertThat(first.getException()).isNull();
        assertThat(first.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE)).isNull();
        assertThat(second.getProperty(ExchangePropertyKey.DUPLICATE_MESSAGE, Boolean.class)).isTrue();
        assertThat(second.getMessage().getBody(String.class)).isEqualTo("inside");
        assertThat(store.find("gen-route")).isPresent();

        store.stop();
        Exchange failed = producer.send("direct:accept", e -> {
            e.setProperty(GenerationExchange.GENERATION_ID, "gen-route-2");
            e.setProperty(GenerationExchange.IMAGES, IMAGES);
        });
        assertThat(failed.getException()).isInstanceOf(StoreUnavailableException.class);
        assertThat(failed.getMessage().getBody()).isNotEqualTo("inside");
        assertThat(repository.contains("gen-route")).as("cached").isTrue();
        camel.stop();
        store.start();
        assertThat(store.isAvailable()).as("the route's stop left the store alone").isTrue();
    }
}
