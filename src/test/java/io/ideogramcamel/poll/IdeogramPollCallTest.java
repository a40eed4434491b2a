package io.ideogramcamel.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.store.GenerationStore;
import io.ideogramcamel.store.PollLedger;
import io.ideogramcamel.testing.LogCapture;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class IdeogramPollCallTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void ideogramsFailureTextBecomesATokenOrAGenericReason() {
        assertThat(IdeogramPollCall.failureReason(json.createObjectNode().put("failure_reason", "Content Policy")))
                .isEqualTo("ideogram_content_policy");
        // free text could carry anything (a signed URL); only a plain token is kept
        assertThat(IdeogramPollCall.failureReason(json.createObjectNode().put("failure_reason", "see https://x.y/?sig=1")))
                .isEqualTo("ideogram_failed");
        assertThat(IdeogramPollCall.failureReason(json.createObjectNode())).isEqualTo("ideogram_failed");
    }

    @Test
    void thePollUrlIsTheConfiguredPathWithTheId() {
        IdeogramPollCall call = new IdeogramPollCall();
        call.setApiUrl("http://127.0.0.1:8090/");
        call.setPollPath("v1/generations");
        assertThat(call.uri("abc_-1")).isEqualTo("http://127.0.0.1:8090/v1/generations/abc_-1");
    }

    @Test
    void aRefusedKeyOnEveryPollIsOneErrorLinePerInterval() throws Exception {
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl("jdbc:h2:file:" + Files.createTempDirectory("ideogram-poll-key-").resolve("store") + ";WRITE_DELAY=0");
        store.start();
        try (DefaultCamelContext camel = new DefaultCamelContext();
                LogCapture lines = LogCapture.of(IdeogramPollCall.class)) {
            PollLedger ledger = new PollLedger();
            ledger.setStore(store);
            IdeogramPollCall call = new IdeogramPollCall();
            call.setLedger(ledger);
            for (int i = 0; i < 3; i++) {
                Exchange exchange = new DefaultExchange(camel);
                exchange.setProperty(GenerationExchange.GENERATION_ID, "gen-" + i);
                exchange.setProperty(GenerationExchange.POLL_LEASE, "lease");
                exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 401);
                call.recordResponse(exchange);
                assertThat(exchange.getProperty("pollOutcome")).isEqualTo("retry");
            }

            List<String> errors = lines.lines().stream().filter(l -> l.startsWith("ERROR")).toList();
            assertThat(errors).containsExactly("ERROR Ideogram refused the API key (HTTP 401) on a poll: outstanding "
                    + "generations stay SUBMITTED; set a valid ideogram.api-key (IDEOGRAM_API_KEY)");
        } finally {
            store.stop();
        }
    }
}
