package io.ideogramcamel.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
}
