package io.ideogramcamel.webhook;

import java.nio.charset.StandardCharsets;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.UrlSafeBase64;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookPayloadParserTest {

    private final WebhookPayloadParser parser = new WebhookPayloadParser();

    private static Exchange exchange(String headerId, String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(GenerationExchange.GENERATION_ID, headerId);
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    @Test
    void setsSourceCreatedAndTheImageListAsCompactJson() {
        Exchange exchange = exchange("abc_-1", "{ \"generation_id\": \"abc_-1\", \"created\": \"2026-11-24T16:00:00Z\","
                + " \"data\": [ {\"url\": null, \"is_image_safe\": false} ] }");

        parser.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.SOURCE)).isEqualTo("webhook");
        assertThat(exchange.getProperty(GenerationExchange.CREATED)).isEqualTo("2026-11-24T16:00:00Z");
        assertThat(exchange.getProperty(GenerationExchange.IMAGES)).isEqualTo("[{\"url\":null,\"is_image_safe\":false}]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"generation_id\":\"abc\"} trailing | invalid_json",
            "{\"generation_id\":\"abc\",\"generation_id\":\"abd\"} | invalid_json",
            "[\"abc\"] | invalid_json",
            "{\"generation_id\":42} | missing_generation_id",
            "{\"generation_id\":\"\"} | missing_generation_id",
            "{\"generation_id\":\"ab+c\"} | invalid_generation_id",
            "{\"generation_id\":\"abd\"} | generation_id_mismatch",
            "{\"generation_id\":\"abc\",\"data\":{}} | invalid_image_list" })
    void refusesWithTheFixedReason(String body, String reason) {
        assertThatThrownBy(() -> parser.process(exchange("abc", body)))
                .isInstanceOf(WebhookRejectedException.class)
                .hasMessage(reason);
    }

    @Test
    void refusesACreatedValueTooLongToBeATimestamp() {
        String body = "{\"generation_id\":\"abc\",\"created\":\"" + "9".repeat(257) + "\"}";

        assertThatThrownBy(() -> parser.process(exchange("abc", body)))
                .isInstanceOf(WebhookRejectedException.class)
                .hasMessage("invalid_created");
    }

    @Test
    void refusesMoreImagesThanTheCapAndAcceptsExactlyTheCap() {
        parser.setMaxImages(2);
        String two = "{\"generation_id\":\"abc\",\"data\":[{},{}]}";
        String three = "{\"generation_id\":\"abc\",\"data\":[{},{},{}]}";

        Exchange accepted = exchange("abc", two);
        parser.process(accepted);
        assertThat(accepted.getProperty(GenerationExchange.IMAGES)).isEqualTo("[{},{}]");
        assertThatThrownBy(() -> parser.process(exchange("abc", three)))
                .isInstanceOf(WebhookRejectedException.class)
                .hasMessage("too_many_images");
    }

    @ParameterizedTest
    @ValueSource(strings = { "a", "AZaz09-_", "abc=", "abcd==" })
    void acceptsUrlSafeBase64(String id) {
        assertThat(UrlSafeBase64.isValid(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "=", "a===", "a/b", "a+b", "a b", "ä", "a=b" })
    void refusesEverythingElse(String id) {
        assertThat(UrlSafeBase64.isValid(id)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "40000|40000",
            "0|0",
            "1000000000000|1000000000000",
            "1000000000001|none",
            "-1|none",
            "12.5|none",
            "'\"40000\"'|none",
            "null|none" })
    void aUsageCostIsKeptWhenItIsAWholeNumberUpTo10To12AndIgnoredOtherwise(String cost, String expected) {
        Exchange exchange = exchange("abc_-1", "{\"generation_id\":\"abc_-1\",\"data\":[],\"usage_cost_usd_micros\":"
                + cost + "}");

        parser.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.COST_MICROS))
                .isEqualTo(expected == null ? null : Long.valueOf(expected));
        assertThat(exchange.getProperty(GenerationExchange.IMAGES)).isEqualTo("[]");
    }

    @Test
    void aDeliveryWithoutACostSetsNone() {
        Exchange exchange = exchange("abc_-1", "{\"generation_id\":\"abc_-1\",\"data\":[]}");

        parser.process(exchange);

        assertThat(exchange.getProperties()).doesNotContainKey(GenerationExchange.COST_MICROS);
    }
}
