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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POST /generations' own fields, callback_url and metadata: each rule refuses with 400 naming the
 * field, and valid ones are taken out of the request Ideogram gets.
 */
class CallbackAndMetadataValidationTest {

    private final CallbackUrlRule rule = new CallbackUrlRule();
    private final GenerateRequestValidator validator = new GenerateRequestValidator();

    CallbackAndMetadataValidationTest() {
        rule.setSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        rule.setCallbackHosts("");
        validator.setCallbackUrlRule(rule);
    }

    private static Exchange exchange(String body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return exchange;
    }

    private static String withCallback(String url) {
        return "{\"text_prompt\":\"a\",\"callback_url\":\"" + url + "\"}";
    }

    private void assertRefused(String body, String reason, String field) {
        assertThatThrownBy(() -> validator.process(exchange(body)))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> {
                    assertThat(e.getStatus()).isEqualTo(400);
                    assertThat(e.getReason()).isEqualTo(reason);
                    assertThat(e.getField()).isEqualTo(field);
                });
    }

    @Test
    void validFieldsAreKeptAsExchangePropertiesAndLeftOutOfTheRequest() {
        Exchange exchange = exchange("{\"text_prompt\":\"a fox\",\"callback_url\":\"https://hooks.example.com/in?t=1\","
                + "\"metadata\": {\"order\": \"A-17\", \"team\": \"\u00e9quipe\"}}");

        validator.process(exchange);

        assertThat(exchange.getProperty(GenerationExchange.GENERATE_REQUEST, String.class))
                .isEqualTo("{\"text_prompt\":\"a fox\"}");
        assertThat(exchange.getProperty(GenerationExchange.CALLBACK_URL, String.class))
                .isEqualTo("https://hooks.example.com/in?t=1");
        assertThat(exchange.getProperty(GenerationExchange.METADATA, String.class))
                .isEqualTo("{\"order\":\"A-17\",\"team\":\"\u00e9quipe\"}");
    }

    @Test
    void withoutThemNothingIsSet() {
        Exchange exchange = exchange("{\"text_prompt\":\"a\",\"callback_url\":null}");
        validator.process(exchange);
        assertThat(exchange.getProperty(GenerationExchange.CALLBACK_URL)).isNull();
        assertThat(exchange.getProperty(GenerationExchange.METADATA)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://hooks.example.com/in",
            "ftp://hooks.example.com/in",
            "/relative/path",
            "https://user:pw@hooks.example.com/in",
            "https:///no-host",
            "https://hooks example.com/",
            "",
    })
    void aCallbackUrlThatBreaksARuleIsRefused(String url) {
        assertRefused(withCallback(url), "invalid_field", "callback_url");
    }

    @Test
    void aCallbackUrlIsAtMost2048Characters() {
        String base = "https://hooks.example.com/";
        validator.process(exchange(withCallback(base + "a".repeat(2048 - base.length()))));
        assertRefused(withCallback(base + "a".repeat(2049 - base.length())), "invalid_field", "callback_url");
        assertRefused("{\"text_prompt\":\"a\",\"callback_url\":42}", "invalid_field", "callback_url");
    }

    @Test
    void httpOnlyWhenAllowed() {
        rule.setAllowHttp(true);
        validator.process(exchange(withCallback("http://hooks.example.com:9000/in")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://127.0.0.1:9000/in",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3/in",
            "https://[::1]/in",
            "https://[fd00:ec2::254]/in",
            "https://localhost/in",
    })
    void aLocalAddressIsRefusedAtOnceUnlessPrivateHostsAreAllowed(String url) {
        assertRefused(withCallback(url), "invalid_field", "callback_url");
        rule.setAllowPrivateHosts(true);
        validator.process(exchange(withCallback(url)));
    }

    @Test
    void aHostListLimitsTheHostsLikeTheImageHosts() {
        rule.setCallbackHosts("hooks.example.com, *.corp.example");
        validator.process(exchange(withCallback("https://HOOKS.example.com/in")));
        validator.process(exchange(withCallback("https://a.b.corp.example/in")));
        assertRefused(withCallback("https://corp.example/in"), "invalid_field", "callback_url");
        assertRefused(withCallback("https://evil.example.com/in"), "invalid_field", "callback_url");
    }

    @Test
    void withoutASigningSecretNoCallbackIsTaken() {
        rule.setSigningSecret("");
        assertRefused(withCallback("https://hooks.example.com/in"), "callbacks_not_configured", "callback_url");
        // metadata does not need one
        validator.process(exchange("{\"text_prompt\":\"a\",\"metadata\":{\"k\":\"v\"}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"a string\"",
            "[\"a\"]",
            "{\"n\":1}",
            "{\"nested\":{\"a\":\"b\"}}",
            "{\"flag\":true}",
            "{\"nothing\":null}",
            "{\"\":\"empty key\"}",
    })
    void metadataThatIsNotAnObjectOfStringsIsRefused(String metadata) {
        assertRefused("{\"text_prompt\":\"a\",\"metadata\":" + metadata + "}", "invalid_field", "metadata");
    }

    @Test
    void metadataIsAtMost4KiBCompact() {
        // {"k":"..."} is 8 bytes around the value
        String fits = "{\"k\":\"" + "x".repeat(4096 - 8) + "\"}";
        String over = "{\"k\":\"" + "x".repeat(4096 - 7) + "\"}";
        validator.process(exchange("{\"text_prompt\":\"a\",\"metadata\":" + fits + "}"));
        assertRefused("{\"text_prompt\":\"a\",\"metadata\":" + over + "}", "invalid_field", "metadata");
    }
}
