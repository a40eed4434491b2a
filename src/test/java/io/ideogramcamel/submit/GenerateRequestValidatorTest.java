package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.api.ApiRejectedException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GenerateRequestValidatorTest {

    private final GenerateRequestValidator validator = new GenerateRequestValidator();

    private static Exchange exchange(String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"text_prompt\":\"\"}|invalid_field|text_prompt",
            "{\"text_prompt\":\"a\",\"seed\":-1}|invalid_field|seed",
            "{\"text_prompt\":\"a\",\"seed\":1.5}|invalid_field|seed",
            "{\"json_prompt\":{}}|invalid_field|json_prompt",
            "{\"json_prompt\":\"a string\"}|invalid_field|json_prompt",
            "{\"text_prompt\":\"a\",\"num_images\":0}|invalid_field|num_images",
            "{\"text_prompt\":\"a\",\"num_images\":\"2\"}|invalid_field|num_images",
            "{\"text_prompt\":\"a\",\"enable_copyright_detection\":\"yes\"}|invalid_field|enable_copyright_detection",
            "{\"text_prompt\":null}|missing_prompt|text_prompt",
            "{\"text_prompt\":\"a\",\"Bad Field!\":1}|unknown_field|",
    })
    void refusesWithTheReasonAndTheField(String body, String reason, String field) {
        assertThatThrownBy(() -> validator.process(exchange(body)))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> {
                    assertThat(e.getStatus()).isEqualTo(400);
                    assertThat(e.getReason()).isEqualTo(reason);
                    // a field name the caller made up is not echoed unless it looks like one
                    assertThat(e.getField()).isEqualTo(field);
                });
    }

    @Test
    void aRepeatedKeyOrTrailingBytesAreNotJson() {
        for (String body : new String[] { "{\"text_prompt\":\"a\",\"text_prompt\":\"b\"}", "{\"text_prompt\":\"a\"} x", "[1]" }) {
            assertThatThrownBy(() -> validator.process(exchange(body)))
                    .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getReason()).isEqualTo("invalid_json"));
        }
    }

    @Test
    void aValidRequestIsPassedOnAsSentWithItsImageCount() {
        Exchange exchange = exchange("{\"json_prompt\":{\"scene\":\"harbour\"},\"num_images\":3,\"seed\":7,"
                + "\"rendering_speed\":\"TURBO\",\"resolution\":\"1280x720\"}");

        validator.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.IMAGE_COUNT, Integer.class)).isEqualTo(3);
        assertThat(exchange.getProperty(GenerationExchange.GENERATE_REQUEST, String.class)).isEqualTo(
                "{\"json_prompt\":{\"scene\":\"harbour\"},\"num_images\":3,\"seed\":7,\"rendering_speed\":\"TURBO\","
                        + "\"resolution\":\"1280x720\"}");
    }

    @Test
    void extraFieldsAreLetThroughOnlyWhenConfigured() {
        String body = "{\"text_prompt\":\"a\",\"style_preset\":\"NOIR\"}";
        assertThatThrownBy(() -> validator.process(exchange(body))).isInstanceOf(ApiRejectedException.class);

        validator.setExtraFields("style_preset, magic_prompt");
        Exchange exchange = exchange(body);
        validator.process(exchange);
        assertThat(exchange.getProperty(GenerationExchange.GENERATE_REQUEST, String.class)).contains("style_preset");
    }

    @Test
    void numImagesIsBoundedByTheBudgetAndAnIdempotencyKeyMustBePrintable() {
        validator.setMaxInflightImages(2);
        assertThatThrownBy(() -> validator.process(exchange("{\"text_prompt\":\"a\",\"num_images\":3}")))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getField()).isEqualTo("num_images"));

        Exchange withKey = exchange("{\"text_prompt\":\"a\"}");
        withKey.getMessage().setHeader("Idempotency-Key", "has space");
        assertThatThrownBy(() -> validator.process(withKey))
                .isInstanceOfSatisfying(ApiRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo("invalid_idempotency_key"));
    }

    @Test
    void aRequestLargerThanTheStoredLimitIsRefusedWhateverFieldHoldsTheBulk() {
        validator.setMaxRequestBytes(1024);
        String bigStructured = "{\"json_prompt\":{\"scene\":\"" + "x".repeat(1100) + "\"}}";
        assertThatThrownBy(() -> validator.process(exchange(bigStructured)))
                .isInstanceOfSatisfying(ApiRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo("request_too_large"));

        validator.setExtraFields("style_preset");
        String bigExtra = "{\"text_prompt\":\"a\",\"style_preset\":\"" + "y".repeat(1100) + "\"}";
        assertThatThrownBy(() -> validator.process(exchange(bigExtra)))
                .isInstanceOfSatisfying(ApiRejectedException.class,
                        e -> assertThat(e.getReason()).isEqualTo("request_too_large"));

        Exchange justUnder = exchange("{\"json_prompt\":{\"scene\":\"" + "x".repeat(900) + "\"}}");
        validator.process(justUnder);
        assertThat(justUnder.getProperty(GenerationExchange.GENERATE_REQUEST, String.class)).hasSizeLessThan(1024);
    }
}
