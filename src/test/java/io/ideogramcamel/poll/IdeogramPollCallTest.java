package io.ideogramcamel.poll;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ideogramcamel.GenerationExchange;
import io.ideogramcamel.store.GenerationRecord;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.store.GenerationStore;
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

    @Test
    void thePollPathFollowsTheApiVersionUnlessOneIsSet() {
        IdeogramPollCall v1 = new IdeogramPollCall();
        v1.setApiUrl("https://api.ideogram.ai");
        assertThat(v1.uri("abc")).as("v1 without any setting").isEqualTo("https://api.ideogram.ai/v1/generations/abc");
        v1.setApiVersion("v1");
        v1.setPollPath("");
        assertThat(v1.uri("abc")).isEqualTo("https://api.ideogram.ai/v1/generations/abc");

        IdeogramPollCall v2 = new IdeogramPollCall();
        v2.setApiUrl("https://api.ideogram.ai");
        v2.setApiVersion(" V2 ");
        v2.setPollPath("  ");
        assertThat(v2.uri("abc")).isEqualTo("https://api.ideogram.ai/v2/generations/abc");
        v2.setPollPath("/custom/generations");
        assertThat(v2.uri("abc")).as("an explicit path wins").isEqualTo("https://api.ideogram.ai/custom/generations/abc");
    }

    @Test
    void anUnknownApiVersionStopsTheStartNamingTheSetting() throws Exception {
        IdeogramPollCall call = new IdeogramPollCall();
        call.setApiVersion("v3");
        try (LogCapture lines = LogCapture.of(IdeogramPollCall.class)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(call::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("ideogram.api-version (IDEOGRAM_API_VERSION) is v3: it must be v1 or v2");
            assertThat(lines.lines()).contains(
                    "ERROR Not starting: ideogram.api-version (IDEOGRAM_API_VERSION) is v3: it must be v1 or v2");
        }
    }

    @Test
    void aV2FailedAnswerFailsTheGenerationWithItsReasonAsAToken() throws Exception {
        String url = "jdbc:h2:file:" + Files.createTempDirectory("ideogram-poll-v2-").resolve("store") + ";WRITE_DELAY=0";
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl(url);
        store.start();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            store.find("schema"); // creates it
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                st.execute("INSERT INTO generation (generation_id, state, attempts, next_attempt_at, submitted_at, "
                        + "updated_at) VALUES ('gen-v2-failed', 'SUBMITTED', 0, 0, " + System.currentTimeMillis()
                        + ", 0)");
            }
            PollLedger ledger = new PollLedger();
            ledger.setStore(store);
            IdeogramPollCall call = new IdeogramPollCall();
            call.setLedger(ledger);
            call.setApiVersion("v2");
            String lease = ledger.claimForPoll("gen-v2-failed");
            assertThat(lease).isNotNull();
            Exchange exchange = answer(camel, "gen-v2-failed", lease, "{\"generation_id\":\"gen-v2-failed\","
                    + "\"status\":\"failed\",\"created\":\"2026-05-01T10:00:00Z\",\"failure_reason\":\"Safety Check\"}");

            call.recordResponse(exchange);

            assertThat(exchange.getProperty("pollOutcome")).isEqualTo("failed");
            assertThat(exchange.getProperty(GenerationExchange.COST_MICROS)).isNull();
            GenerationRecord row = store.find("gen-v2-failed").orElseThrow();
            assertThat(row.state()).isEqualTo(GenerationState.FAILED);
            assertThat(row.error()).isEqualTo("ideogram_safety_check");
            assertThat(row.costMicros()).isNull();
        } finally {
            store.stop();
        }
    }

    @Test
    void aCompletedAnswersCostIsHandedToTheAcceptAndABadOneIgnored() throws Exception {
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl("jdbc:h2:file:" + Files.createTempDirectory("ideogram-poll-cost-").resolve("store") + ";WRITE_DELAY=0");
        store.start();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            PollLedger ledger = new PollLedger();
            ledger.setStore(store);
            IdeogramPollCall call = new IdeogramPollCall();
            call.setLedger(ledger);
            String data = "[{\"url\":\"https://ideogram.ai/a.png\",\"is_image_safe\":true}]";
            String[][] cases = {
                    { "gen-cost", "80000", "80000" },
                    { "gen-zero", "0", "0" },
                    { "gen-none", null, null },
                    { "gen-negative", "-5", null },
                    { "gen-fraction", "12.5", null },
                    { "gen-text", "\"40000\"", null },
                    { "gen-too-big", "1000000000001", null } };
            for (String[] c : cases) {
                Exchange exchange = answer(camel, c[0], "lease", "{\"generation_id\":\"" + c[0]
                        + "\",\"status\":\"completed\",\"response_type\":\"url\",\"data\":" + data
                        + (c[1] == null ? "" : ",\"usage_cost_usd_micros\":" + c[1]) + "}");

                call.recordResponse(exchange);

                // the route's accept-generation stores it (IdeogramV2Test checks the stored cost end to end)
                assertThat(exchange.getProperty("pollOutcome")).as(c[0]).isEqualTo(IdeogramPollCall.ACCEPTING);
                Long expected = c[2] == null ? null : Long.valueOf(c[2]);
                assertThat(exchange.getProperty(GenerationExchange.COST_MICROS)).as(c[0]).isEqualTo(expected);
            }
        } finally {
            store.stop();
        }
    }

    private static Exchange answer(DefaultCamelContext camel, String id, String lease, String body) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(GenerationExchange.GENERATION_ID, id);
        exchange.setProperty(GenerationExchange.POLL_LEASE, lease);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(body);
        return exchange;
    }
}
