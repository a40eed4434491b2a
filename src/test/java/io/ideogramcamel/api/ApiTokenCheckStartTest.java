package io.ideogramcamel.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The API fails closed: no start when it would be open beyond loopback, or guarded by a short token. */
class ApiTokenCheckStartTest {

    private static final String LONG_TOKEN = "0123456789abcdef0123456789abcdef";

    private static ApiTokenCheck check(String token, String host, boolean allowUnauthenticated) {
        ApiTokenCheck check = new ApiTokenCheck();
        check.setToken(token);
        check.setHost(host);
        check.setAllowUnauthenticated(allowUnauthenticated);
        return check;
    }

    @Test
    void noTokenOnAnAddressBeyondLoopbackRefusesToStartNamingTheSettings() {
        for (String host : new String[] { "0.0.0.0", "::", "192.0.2.10", "" }) {
            assertThatThrownBy(() -> check("", host, false).start()).as(host)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("api.token")
                    .hasMessageContaining("camel.server.host")
                    .hasMessageContaining("api.allow-unauthenticated")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void noTokenOnLoopbackStarts() {
        for (String host : new String[] { "127.0.0.1", "127.0.0.2", "::1", "localhost" }) {
            assertThatCode(() -> check(null, host, false).start()).as(host).doesNotThrowAnyException();
        }
    }

    @Test
    void anExplicitAllowLetsAnUnauthenticatedApiStartBeyondLoopback() {
        assertThatCode(() -> check("  ", "0.0.0.0", true).start()).doesNotThrowAnyException();
    }

    @Test
    void aTokenShorterThan32CharactersIsRefusedWithoutShowingIt() {
        String shortToken = LONG_TOKEN.substring(1);
        for (String host : new String[] { "0.0.0.0", "127.0.0.1" }) {
            assertThatThrownBy(() -> check(shortToken, host, true).start()).as(host)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("32 characters")
                    .hasMessageNotContaining(shortToken);
        }
    }

    @Test
    void aLongEnoughTokenStartsOnAnyAddress() {
        assertThatCode(() -> check(LONG_TOKEN, "0.0.0.0", false).start()).doesNotThrowAnyException();
        assertThat(LONG_TOKEN).hasSize(ApiTokenCheck.MIN_TOKEN_CHARS);
    }
}
