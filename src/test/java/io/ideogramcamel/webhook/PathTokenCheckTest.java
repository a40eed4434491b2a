package io.ideogramcamel.webhook;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The path token: a short one refuses the start without showing it; a wrong one is 404 and the header is gone. */
class PathTokenCheckTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef01234567";

    private static PathTokenCheck check(String token) {
        PathTokenCheck check = new PathTokenCheck();
        check.setSetting("providers.imagineapi.path-token");
        check.setToken(token);
        return check;
    }

    @Test
    void aShortTokenRefusesTheStartNamingTheSettingNotTheValue() {
        String shortToken = TOKEN.substring(0, 31);
        assertThatThrownBy(() -> check(shortToken).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("providers.imagineapi.path-token")
                .hasMessageContaining("32 characters")
                .hasMessageContaining("openssl rand -hex 24")
                .hasMessageNotContaining(shortToken);
        assertThatCode(() -> check(TOKEN.substring(0, 32)).start()).doesNotThrowAnyException();
        assertThatCode(() -> check("").start()).doesNotThrowAnyException();
    }

    @Test
    void onlyTheExactTokenPassesAndTheHeaderIsRemovedEitherWay() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            for (String given : new String[] { null, "", TOKEN.substring(1), TOKEN + "0", TOKEN.toUpperCase(), " " + TOKEN }) {
                Exchange exchange = new DefaultExchange(context);
                exchange.getMessage().setHeader("token", given);
                assertThatThrownBy(() -> check(TOKEN).process(exchange)).as(String.valueOf(given))
                        .isInstanceOfSatisfying(WebhookRejectedException.class,
                                e -> assertThat(e.getStatus()).isEqualTo(404));
                assertThat(exchange.getMessage().getHeader("token")).isNull();
            }
            Exchange good = new DefaultExchange(context);
            good.getMessage().setHeader("token", TOKEN);
            good.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            check(TOKEN).process(good);
            assertThat(good.getMessage().getHeader("token")).isNull();
            // the right token with another method: 404 as well, so a GET cannot tell the path exists
            for (String method : new String[] { "GET", "HEAD", "PUT", null }) {
                Exchange other = new DefaultExchange(context);
                other.getMessage().setHeader("token", TOKEN);
                other.getMessage().setHeader(Exchange.HTTP_METHOD, method);
                assertThatThrownBy(() -> check(TOKEN).process(other)).as(String.valueOf(method))
                        .isInstanceOfSatisfying(WebhookRejectedException.class,
                                e -> assertThat(e.getStatus()).isEqualTo(404));
            }
            // no token configured: nothing passes
            Exchange any = new DefaultExchange(context);
            any.getMessage().setHeader("token", TOKEN);
            assertThatThrownBy(() -> check("").process(any)).isInstanceOf(WebhookRejectedException.class);
        }
    }
}
