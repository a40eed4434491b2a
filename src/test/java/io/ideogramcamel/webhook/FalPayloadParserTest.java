package io.ideogramcamel.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FalPayloadParserTest {

    private static final String ID = "123e4567-e89b-12d3-a456-426614174000";
    private static CamelContext camel;

    private final FalPayloadParser parser = new FalPayloadParser();

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stopCamel() throws Exception {
        camel.close();
    }

    @Test
    void falsDocumentedOkExampleBecomesTheImagesAndTheKey() {
        Exchange exchange = parse("{\"request_id\":\"" + ID + "\",\"gateway_request_id\":\"" + ID + "\",\"status\":\"OK\","
                + "\"payload\":{\"images\":[{\"url\":\"https://v3.fal.media/files/a.png\",\"content_type\":\"image/png\","
                + "\"file_name\":\"a.png\",\"file_size\":1824075,\"width\":1024,\"height\":768}],\"seed\":196619188014358660}}");

        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isEqualTo("fal/" + ID);
        assertThat(exchange.getProperty(GenerationExchange.PROVIDER_STATUS)).isEqualTo("OK");
        assertThat(exchange.getProperty(GenerationExchange.IMAGES)).isEqualTo(
                "[{\"url\":\"https://v3.fal.media/files/a.png\",\"resolution\":\"1024x768\",\"seed\":196619188014358660}]");
        assertThat(exchange.getProperty(GenerationExchange.SOURCE)).isEqualTo("webhook");
        assertThat(exchange.getProperty(GenerationExchange.FAILURE_REASON)).isNull();
    }

    @Test
    void anImageFalsSafetyCheckerFlagsIsMarkedUnsafeSoItIsNeverFetched() {
        Exchange exchange = parse("{\"request_id\":\"" + ID + "\",\"status\":\"OK\",\"payload\":{\"images\":["
                + "{\"url\":\"https://v3.fal.media/files/a.png\"},{\"url\":\"https://v3.fal.media/files/b.png\"}],"
                + "\"has_nsfw_concepts\":[false,true]}}");

        assertThat(exchange.getProperty(GenerationExchange.IMAGES)).isEqualTo(
                "[{\"url\":\"https://v3.fal.media/files/a.png\"},"
                        + "{\"url\":\"https://v3.fal.media/files/b.png\",\"is_image_safe\":false}]");
    }

    @Test
    void anErrorIsReadAsItsStatusAndNothingElse() {
        Exchange exchange = parse("{\"request_id\":\"" + ID + "\",\"status\":\"ERROR\",\"error\":\"Invalid status code: 422\","
                + "\"payload\":{\"detail\":[]}}");

        assertThat(exchange.getProperty(GenerationExchange.PROVIDER_STATUS)).isEqualTo("ERROR");
        // the route's choice names the failure (fal_error), not the parser
        assertThat(exchange.getProperty(GenerationExchange.FAILURE_REASON)).isNull();
        assertThat(exchange.getProperty(GenerationExchange.IMAGES)).isNull();
    }

    @Test
    void badBodiesAreFixedRejections() {
        assertThat(rejection("not json")).isEqualTo(WebhookRejection.INVALID_JSON);
        assertThat(rejection("{\"request_id\":\"" + ID + "\",\"request_id\":\"" + ID + "\",\"status\":\"OK\"}"))
                .isEqualTo(WebhookRejection.INVALID_JSON);
        assertThat(rejection("{\"status\":\"OK\"}")).isEqualTo(WebhookRejection.MISSING_GENERATION_ID);
        assertThat(rejection("{\"request_id\":\"../x\",\"status\":\"OK\"}")).isEqualTo(WebhookRejection.INVALID_GENERATION_ID);
        assertThat(rejection("{\"request_id\":\"" + ID + "\",\"status\":\"COMPLETED\"}")).isEqualTo(WebhookRejection.INVALID_STATUS);
        assertThat(rejection("{\"request_id\":\"" + ID + "\",\"status\":\"OK\",\"payload\":null}"))
                .isEqualTo(WebhookRejection.INVALID_IMAGE_LIST);
        assertThat(rejection("{\"request_id\":\"" + ID + "\",\"status\":\"OK\",\"payload\":{\"images\":[{\"url\":7}]}}"))
                .isEqualTo(WebhookRejection.INVALID_IMAGE_LIST);
        parser.setMaxImages(1);
        assertThat(rejection("{\"request_id\":\"" + ID + "\",\"status\":\"OK\",\"payload\":{\"images\":[{\"url\":\"a\"},{\"url\":\"b\"}]}}"))
                .isEqualTo(WebhookRejection.TOO_MANY_IMAGES);
    }

    @Test
    void theBodysIdMustBeTheSignedOne() {
        Exchange exchange = exchange("{\"request_id\":\"" + ID + "\",\"status\":\"OK\",\"payload\":{\"images\":[]}}");
        exchange.setProperty(GenerationExchange.SIGNED_ID, "another-request");

        WebhookRejectedException thrown = catchThrowableOfType(() -> parser.process(exchange), WebhookRejectedException.class);

        assertThat(thrown.getRejection()).isEqualTo(WebhookRejection.GENERATION_ID_MISMATCH);
        assertThat(exchange.getProperty(GenerationExchange.GENERATION_ID)).isNull();
    }

    private Exchange parse(String body) {
        Exchange exchange = exchange(body);
        parser.process(exchange);
        return exchange;
    }

    private WebhookRejection rejection(String body) {
        Exchange exchange = exchange(body);
        WebhookRejectedException thrown = catchThrowableOfType(() -> parser.process(exchange), WebhookRejectedException.class);
        assertThat(thrown).isNotNull();
        return thrown.getRejection();
    }

    private static Exchange exchange(String body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        exchange.setProperty(GenerationExchange.SIGNED_ID, ID);
        return exchange;
    }
}
