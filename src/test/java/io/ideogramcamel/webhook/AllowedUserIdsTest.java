package io.ideogramcamel.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.ideogramcamel.GenerationExchange;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class AllowedUserIdsTest {

    private final AllowedUserIds allowed = new AllowedUserIds();

    @Test
    void anEmptyListTakesEveryAccount() throws Exception {
        allowed.setAllowedUserIds("");
        assertThat(allowed.isAllowed(signedBy("anyone"))).isTrue();
        allowed.setAllowedUserIds(" , ");
        assertThat(allowed.isAllowed(signedBy("anyone"))).isTrue();
    }

    @Test
    void aListTakesOnlyItsAccountsExactly() throws Exception {
        allowed.setAllowedUserIds(" dXNlcg ,b3RoZXI");

        assertThat(allowed.isAllowed(signedBy("dXNlcg"))).isTrue();
        assertThat(allowed.isAllowed(signedBy("b3RoZXI"))).isTrue();
        assertThat(allowed.isAllowed(signedBy("dXNlcG"))).isFalse();
        assertThat(allowed.isAllowed(signedBy("dXNl"))).isFalse();
        // no signed user (the verifier did not run) is never on a list
        assertThat(allowed.isAllowed(signedBy(null))).isFalse();
    }

    private static Exchange signedBy(String user) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange exchange = new DefaultExchange(camel);
            exchange.setProperty(GenerationExchange.SIGNED_USER_ID, user);
            return exchange;
        }
    }
}
