package io.ideogramcamel.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ideogramcamel.api.ApiRejectedException;
import io.ideogramcamel.submit.CallbackUrlRule;
import io.ideogramcamel.submit.GenerateRequestValidator;
import org.junit.jupiter.api.Test;

/**
 * How a POST /campaigns body becomes its requests: the prompt from the template, the metadata every
 * request carries (within the 4 KiB of POST /generations), the campaign's callback_url on each, and a
 * fingerprint that tells a repeated Idempotency-Key's body from another. CSV cells stay data.
 */
class CampaignRequestReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CampaignPlan plan(CampaignRequestReader reader, String body) throws Exception {
        return reader.plan((ObjectNode) JSON.readTree(body));
    }

    @Test
    void theTemplateNamesProductFormatCampaignAndMetadataKeys() throws Exception {
        CampaignPlan plan = plan(new CampaignRequestReader(), "{\"name\":\"Fall\",\"products\":[\"Boot\"],"
                + "\"formats\":[{\"name\":\"og\",\"resolution\":\"1280x704\",\"seed\":7}],"
                + "\"prompt_template\":\"{campaign}: {product} as {format} in {tone}\",\"metadata\":{\"tone\":\"warm\"}}");

        JsonNode request = JSON.readTree(plan.requests().get(0).checked().request());
        assertThat(request.get("text_prompt").asText()).isEqualTo("Fall: Boot as og in warm");
        assertThat(request.get("seed").asInt()).isEqualTo(7);
        assertThat(request.has("name")).isFalse();
        assertThat(plan.metadata()).isEqualTo("{\"tone\":\"warm\"}");
    }

    @Test
    void anAspectRatioBecomesTheResolutionTheSettingNamesAndAnUnlistedOneIsRefused() throws Exception {
        CampaignRequestReader reader = new CampaignRequestReader();
        reader.setAspectRatioResolutions("1:1=1024x1024, 16:9=1280x720");
        CampaignPlan plan = plan(reader, "{\"name\":\"n\",\"products\":[\"Cap\"],"
                + "\"formats\":[{\"name\":\"wide\",\"aspect_ratio\":\"16:9\"}]}");

        JsonNode request = JSON.readTree(plan.requests().get(0).checked().request());
        assertThat(request.get("resolution").asText()).isEqualTo("1280x720");
        assertThat(request.has("aspect_ratio")).isFalse();
        assertThatThrownBy(() -> plan(reader, "{\"name\":\"n\",\"products\":[\"Cap\"],"
                + "\"formats\":[{\"name\":\"a\",\"aspect_ratio\":\"1:1\"},{\"name\":\"b\",\"aspect_ratio\":\"4:5\"}]}"))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getBody())
                        .isEqualTo("{\"error\":\"unknown_aspect_ratio\",\"field\":\"formats[1].aspect_ratio\"}"));
        assertThatThrownBy(() -> plan(reader, "{\"name\":\"n\",\"products\":[\"Cap\"],"
                + "\"formats\":[{\"name\":\"a\",\"aspect_ratio\":\"1:1\",\"resolution\":\"1024x1024\"}]}"))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getBody())
                        .isEqualTo("{\"error\":\"invalid_field\",\"field\":\"formats[0].aspect_ratio\"}"));
        assertThatThrownBy(() -> reader.setAspectRatioResolutions("16:9=wide"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("campaigns.aspect-ratio-resolutions");
    }

    @Test
    void theDefaultTemplateIsASetting() throws Exception {
        CampaignRequestReader reader = new CampaignRequestReader();
        reader.setDefaultPromptTemplate("{format} of {product}");
        CampaignPlan plan = plan(reader, "{\"name\":\"n\",\"products\":[\"Cap\"],\"formats\":[{\"name\":\"thumb\"}]}");

        assertThat(JSON.readTree(plan.requests().get(0).checked().request()).get("text_prompt").asText())
                .isEqualTo("thumb of Cap");
    }

    @Test
    void metadataThatOutgrows4KiBWithTheCampaignsOwnKeysIsRefusedLikePostGenerations() {
        // 4,061 bytes on its own, past 4 KiB with campaign, campaign_id, product and format
        String big = "x".repeat(4050);
        assertThatThrownBy(() -> plan(new CampaignRequestReader(), "{\"name\":\"n\",\"products\":[\"p\"],"
                + "\"formats\":[{\"name\":\"f\"}],\"metadata\":{\"note\":\"" + big + "\"}}"))
                .isInstanceOfSatisfying(ApiRejectedException.class,
                        e -> assertThat(e.getBody()).isEqualTo("{\"error\":\"invalid_field\",\"field\":\"metadata\"}"));
    }

    @Test
    void aFormatMayNotBringItsOwnPrompt() {
        assertThatThrownBy(() -> plan(new CampaignRequestReader(), "{\"name\":\"n\",\"products\":[\"p\"],"
                + "\"formats\":[{\"name\":\"f\",\"text_prompt\":\"x\"}]}"))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getField())
                        .isEqualTo("formats[0].text_prompt"));
    }

    @Test
    void aPromptTheTemplateMakesTooLongNamesTheTemplate() {
        GenerateRequestValidator validator = new GenerateRequestValidator();
        validator.setMaxPromptChars(20);
        CampaignRequestReader reader = new CampaignRequestReader();
        reader.setValidator(validator);

        assertThatThrownBy(() -> plan(reader, "{\"name\":\"n\",\"products\":[\"a very long product name\"],"
                + "\"formats\":[{\"name\":\"f\"}]}"))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getField())
                        .isEqualTo("prompt_template"));
    }

    @Test
    void theCampaignsCallbackUrlGoesWithEveryRequest() throws Exception {
        CallbackUrlRule rule = new CallbackUrlRule();
        rule.setSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        GenerateRequestValidator validator = new GenerateRequestValidator();
        validator.setCallbackUrlRule(rule);
        CampaignRequestReader reader = new CampaignRequestReader();
        reader.setValidator(validator);

        CampaignPlan plan = plan(reader, "{\"name\":\"n\",\"products\":[\"a\",\"b\"],\"formats\":[{\"name\":\"f\"}],"
                + "\"callback_url\":\"https://hooks.example.com/cb\"}");

        assertThat(plan.callbackUrl()).isEqualTo("https://hooks.example.com/cb");
        assertThat(plan.requests()).allSatisfy(p -> {
            assertThat(p.checked().callbackUrl()).isEqualTo("https://hooks.example.com/cb");
            assertThat(p.checked().request()).doesNotContain("callback_url");
        });
    }

    @Test
    void theFingerprintIsTheBodysNotTheNewIds() throws Exception {
        String body = "{\"name\":\"n\",\"products\":[\"a\"],\"formats\":[{\"name\":\"f\"}]}";
        CampaignPlan one = plan(new CampaignRequestReader(), body);
        CampaignPlan two = plan(new CampaignRequestReader(), body);
        CampaignPlan other = plan(new CampaignRequestReader(), body.replace("\"a\"", "\"b\""));

        assertThat(one.campaignId()).isNotEqualTo(two.campaignId());
        assertThat(one.requestSha256()).isEqualTo(two.requestSha256()).isNotEqualTo(other.requestSha256());
    }

    @Test
    void theSameCampaignWithItsKeysInAnotherOrderHasTheSameFingerprint() throws Exception {
        CampaignPlan one = plan(new CampaignRequestReader(), "{\"name\":\"n\",\"products\":[\"a\"],"
                + "\"formats\":[{\"name\":\"f\",\"resolution\":\"1024x1024\",\"seed\":7}],"
                + "\"metadata\":{\"team\":\"blue\",\"tone\":\"warm\"}}");
        CampaignPlan reordered = plan(new CampaignRequestReader(), "{\"metadata\":{\"tone\":\"warm\",\"team\":\"blue\"},"
                + "\"formats\":[{\"seed\":7,\"resolution\":\"1024x1024\",\"name\":\"f\"}],"
                + "\"products\":[\"a\"],\"name\":\"n\"}");
        CampaignPlan otherSeed = plan(new CampaignRequestReader(), "{\"name\":\"n\",\"products\":[\"a\"],"
                + "\"formats\":[{\"name\":\"f\",\"resolution\":\"1024x1024\",\"seed\":8}],"
                + "\"metadata\":{\"team\":\"blue\",\"tone\":\"warm\"}}");

        assertThat(reordered.requestSha256()).isEqualTo(one.requestSha256()).isNotEqualTo(otherSeed.requestSha256());
    }

    @Test
    void aControlCharacterInANameProductOrFormatNameIsRefused() {
        // PostgreSQL refuses a NUL in a text column: without this it was a 503 after the checks
        String[] bodies = {
            "{\"name\":\"n\\u0000\",\"products\":[\"p\"],\"formats\":[{\"name\":\"f\"}]}",
            "{\"name\":\"n\",\"products\":[\"p\",\"q\\u0000\"],\"formats\":[{\"name\":\"f\"}]}",
            "{\"name\":\"n\",\"products\":[\"p\"],\"formats\":[{\"name\":\"\\tf\"}]}",
            "{\"name\":\"n\",\"products\":[\"\\r=1+1\"],\"formats\":[{\"name\":\"f\"}]}",
        };
        String[] fields = { "name", "products[1]", "formats[0].name", "products[0]" };
        for (int i = 0; i < bodies.length; i++) {
            String field = fields[i];
            String body = bodies[i];
            assertThatThrownBy(() -> plan(new CampaignRequestReader(), body)).as(body)
                    .isInstanceOfSatisfying(ApiRejectedException.class, e -> {
                        assertThat(e.getStatus()).isEqualTo(400);
                        assertThat(e.getBody()).isEqualTo("{\"error\":\"invalid_field\",\"field\":\"" + field + "\"}");
                    });
        }
    }

    @Test
    void tooManyRequestsIsDecidedBeforeAnyProductIsRead() {
        // 101 products that are not even text: refused for their number, before any is looked at
        StringBuilder products = new StringBuilder("[");
        for (int i = 0; i <= 100; i++) {
            products.append(i == 0 ? "" : ",").append(i);
        }
        String body = "{\"name\":\"n\",\"products\":" + products + "],\"formats\":[{\"name\":\"f\"}]}";

        assertThatThrownBy(() -> plan(new CampaignRequestReader(), body))
                .isInstanceOfSatisfying(ApiRejectedException.class, e -> assertThat(e.getBody())
                        .isEqualTo("{\"error\":\"too_many_requests\",\"field\":\"products\"}"));
    }

    @Test
    void aCellStartingWithTabOrCarriageReturnIsAFormulaToo() {
        // OWASP's list: = + - @ and a leading TAB or CR
        List<Object> cells = Arrays.asList("\t=1+1", "\r=1+1", "a\tb");

        assertThat(CsvCells.line(cells)).isEqualTo("'\t=1+1,\"'\r=1+1\",a\tb");
    }

    @Test
    void csvCellsAreQuotedAndAFormulaStaysText() {
        List<Object> cells = Arrays.asList("=HYPERLINK(\"x\")", "a,b", null, 3, "-1", "plain");

        assertThat(CsvCells.line(cells)).isEqualTo("\"'=HYPERLINK(\"\"x\"\")\",\"a,b\",,3,'-1,plain");
    }
}
