package io.ideogramcamel.webhook;

import java.nio.charset.StandardCharsets;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HmacRelayParser and ReplicatePredictionParser on the shapes the end-to-end tests do not vary. */
class ProviderBodyParsersTest {

    private final HmacRelayParser hmac = new HmacRelayParser();
    private final ReplicatePredictionParser replicate = new ReplicatePredictionParser();

    private static Exchange exchange(String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    @Test
    void anEnvelopeCarryingAResultIsTakenWhateverItsTypeAndKeepsTheImagesFields() {
        Exchange exchange = exchange("{\"id\":\"evt_1\",\"type\":\"resource.created\",\"created\":\"env\","
                + "\"data\":{\"generation_id\":\"g-1\",\"data\":[{\"url\":\"https://ideogram.ai/a.png\",\"seed\":7}]}}");

        hmac.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isEqualTo("hmac/g-1");
        assertThat(exchange.getProperty(GenerationExchange.DELIVERY_ID)).isEqualTo("evt_1");
        assertThat(exchange.getProperty(GenerationExchange.PROVIDER_STATUS)).isEqualTo("resource.created");
        // the result has no created of its own: the envelope's
        assertThat(exchange.getProperty(GenerationExchange.CREATED)).isEqualTo("env");
        assertThat(exchange.getProperty(GenerationExchange.IMAGES))
                .isEqualTo("[{\"url\":\"https://ideogram.ai/a.png\",\"seed\":7}]");
    }

    @Test
    void anEnvelopeWithoutAResultIsAnEventAndAnOddTypeIsNotKept() {
        Exchange exchange = exchange("{\"id\":\"evt_2\",\"type\":\"a type with spaces\\n\",\"data\":{\"generation_id\":\"g\"}}");

        hmac.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isNull();
        assertThat(exchange.getProperty(GenerationExchange.IMAGES)).isNull();
        assertThat(exchange.getProperty(GenerationExchange.DELIVERY_ID)).isEqualTo("evt_2");
        assertThat(exchange.getProperty(GenerationExchange.PROVIDER_STATUS)).isEqualTo("event");
    }

    @Test
    void aDuplicatedFieldOrTrailingBytesAreInvalidJson() {
        assertRejected(hmac, "{\"generation_id\":\"a\",\"generation_id\":\"b\",\"data\":[]}", WebhookRejection.INVALID_JSON);
        assertRejected(replicate, "{\"id\":\"a\",\"status\":\"succeeded\"} {}", WebhookRejection.INVALID_JSON);
        assertRejected(hmac, "[]", WebhookRejection.INVALID_JSON);
    }

    @Test
    void aPredictionsOutputIsArchivedOnlyWhenSucceeded() {
        Exchange processing = exchange("{\"id\":\"p1\",\"status\":\"processing\",\"output\":[\"https://replicate.delivery/a.png\"]}");
        Exchange succeeded = exchange("{\"id\":\"p1\",\"status\":\"succeeded\",\"output\":\"https://replicate.delivery/a.png\","
                + "\"error\":\"ignored\",\"created_at\":\"2026-11-30T10:00:00Z\"}");

        replicate.process(processing);
        replicate.process(succeeded);

        assertThat(processing.getProperty(GenerationExchange.IMAGES)).isNull();
        assertThat(processing.getProperty(GenerationExchange.PROVIDER_STATUS)).isEqualTo("processing");
        assertThat(processing.getProperty(GenerationExchange.PROVIDER_PROGRESS)).isNull();
        assertThat(succeeded.getProperty(GenerationExchange.GENERATION_ID)).isEqualTo("standard/p1");
        assertThat(succeeded.getProperty(GenerationExchange.IMAGES)).isEqualTo("[{\"url\":\"https://replicate.delivery/a.png\"}]");
        assertThat(succeeded.getProperty(GenerationExchange.CREATED)).isEqualTo("2026-11-30T10:00:00Z");
    }

    @Test
    void tooManyOutputsOrNonTextOutputsAreRefused() {
        StringBuilder many = new StringBuilder("{\"id\":\"p2\",\"status\":\"succeeded\",\"output\":[");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("\"https://replicate.delivery/").append(i).append(".png\"");
        }
        assertRejected(replicate, many.append("]}").toString(), WebhookRejection.TOO_MANY_IMAGES);
        assertRejected(replicate, "{\"id\":\"p3\",\"status\":\"succeeded\",\"output\":[1]}", WebhookRejection.INVALID_IMAGE_LIST);
        assertRejected(replicate, "{\"id\":\"p4\"}", WebhookRejection.INVALID_STATUS);
        assertRejected(replicate, "{\"id\":\".hidden\",\"status\":\"failed\"}", WebhookRejection.INVALID_PROVIDER_ID);
    }

    private static void assertRejected(org.apache.camel.Processor parser, String body, WebhookRejection rejection) {
        assertThatThrownBy(() -> parser.process(exchange(body)))
                .isInstanceOfSatisfying(WebhookRejectedException.class, e -> assertThat(e.getRejection()).isEqualTo(rejection));
    }
}
