package io.ideogramcamel.submit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each outcome of a submission tells its caller, and what Ideogram's refusals are recorded as. */
class SubmissionAnswersTest {

    private static Submission submission(SubmissionState state, String generationId, String error) {
        return new Submission("qABC", null, "{}", 1, state, generationId, error, null, null, 1L, 2L, null, null);
    }

    @Test
    void anUnknownOutcomeIsA202SoNaiveClientsDoNotRetryIt() {
        SubmissionDesk.Answer answer = SubmissionDesk.answerFor(submission(SubmissionState.UNKNOWN, null, "submit_outcome_unknown"));

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.body()).isEqualTo("{\"queued_id\":\"qABC\",\"state\":\"unknown\",\"error\":\"submit_outcome_unknown\"}");
    }

    @Test
    void sentAndQueuedAnswersCarryTheIdsTheCallerFollows() {
        assertThat(SubmissionDesk.answerFor(submission(SubmissionState.SENT, "gen1", null)).body())
                .isEqualTo("{\"generation_id\":\"gen1\",\"queued_id\":\"qABC\",\"state\":\"submitted\"}");
        assertThat(SubmissionDesk.answerFor(submission(SubmissionState.QUEUED, null, "rate_limited")).body())
                .isEqualTo("{\"queued_id\":\"qABC\",\"state\":\"queued\"}");
        assertThat(SubmissionDesk.answerFor(submission(SubmissionState.SENDING, null, null)).status()).isEqualTo(409);
    }

    @Test
    void aNewRequestTakenByADispatcherMeanwhileIsAnsweredQueuedNot409() {
        Submission sending = submission(SubmissionState.SENDING, null, null);

        SubmissionDesk.Answer takenByDispatcher = SubmissionDesk.answerForNewRequest(sending, false);
        assertThat(takenByDispatcher.status()).isEqualTo(202);
        assertThat(takenByDispatcher.body()).isEqualTo("{\"queued_id\":\"qABC\",\"state\":\"queued\"}");
        SubmissionDesk.Answer outcomeUnrecorded = SubmissionDesk.answerForNewRequest(sending, true);
        assertThat(outcomeUnrecorded.status()).isEqualTo(202);
        assertThat(outcomeUnrecorded.body())
                .isEqualTo("{\"queued_id\":\"qABC\",\"state\":\"unknown\",\"error\":\"store_unavailable\"}");
        // other states answer a new request as they answer a repeated key
        assertThat(SubmissionDesk.answerForNewRequest(submission(SubmissionState.SENT, "gen1", null), true))
                .isEqualTo(SubmissionDesk.answerFor(submission(SubmissionState.SENT, "gen1", null)));
    }

    @ParameterizedTest
    @CsvSource({
            "insufficient_funds, 402", "daily_limit, 402", "prompt_rejected, 422", "ideogram_bad_request, 400",
            "over_inflight_budget, 400", "ideogram_unauthorized, 502", "ideogram_http_404, 502" })
    void aRefusalMapsToAFixedStatus(String error, int status) {
        assertThat(SubmissionDesk.answerFor(submission(SubmissionState.FAILED, null, error)).status()).isEqualTo(status);
    }

    @ParameterizedTest
    @CsvSource({
            "401, , ideogram_unauthorized", "402, daily_limit, daily_limit", "402, , insufficient_funds",
            "422, , prompt_rejected", "400, , ideogram_bad_request", "404, , ideogram_http_404" })
    void ideogramsRefusalsAreRecordedAsTokens(int status, String rejectReason, String recorded) {
        ObjectNode body = new ObjectMapper().createObjectNode();
        if (rejectReason != null) {
            body.put("reject_reason", rejectReason);
        }
        assertThat(IdeogramSubmitCall.failureReason(status, body)).isEqualTo(recorded);
    }
}
