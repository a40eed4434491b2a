package io.ideogramcamel.provider;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ideogramcamel.standin.FalSender;
import io.ideogramcamel.standin.LocalIdeogram;
import io.ideogramcamel.store.GenerationState;
import io.ideogramcamel.testing.BundleProperties;
import io.ideogramcamel.testing.BundleTestSupport;
import io.ideogramcamel.testing.Http;
import io.ideogramcamel.testing.IdeogramStandIn;
import io.ideogramcamel.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bound to the account: with ideogram.webhook.allowed-user-ids and providers.fal.allowed-user-ids
 * set, a delivery genuinely signed by Ideogram or fal for another account is answered 200 ignored,
 * counted, logged once and stored nowhere; a listed account's is taken as usual.
 */
class AllowedUserIdsEndToEndTest extends BundleTestSupport {

    private static final String OTHER_ACCOUNT = "c29tZW9uZS1lbHNl";
    private static final String IGNORED = "{\"status\":\"ignored\"}";

    private LocalIdeogram standIn;

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-allowed-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Override
    protected void configureBundle(BundleProperties properties) throws IOException {
        standIn = LocalIdeogram.start();
        properties.set("ideogram.webhook.allowed-user-ids", "bm90LXVz , " + IdeogramStandIn.USER_ID)
                .set("providers.fal.enabled", "true")
                .set("providers.fal.jwks-url", standIn.fal().jwksUrl())
                .set("providers.fal.allowed-user-ids", standIn.fal().userId())
                .set("providers.fal.image-hosts", "127.0.0.1")
                .set("ideogram.image-hosts", "127.0.0.1")
                .set("ideogram.image.allow-http", "true");
    }

    @AfterAll
    void stopStandInOfFal() throws IOException {
        closeQuietly(standIn);
    }

    private String falUrl() {
        return baseUrl() + "/webhooks/fal";
    }

    @Test
    void anIdeogramDeliveryForAnotherAccountIsIgnoredCountedLoggedOnceAndNotStored() throws Exception {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = ideogram.signAs(OTHER_ACCOUNT, id, body);
        double before = ignored("ideogram");

        HttpResponse<String> answer;
        try (LogCapture lines = LogCapture.of("io.ideogramcamel.provider")) {
            answer = deliver(headers, body);
            assertThat(lines.lines()).filteredOn(l -> l.contains("reason=user_not_allowed")).hasSize(1)
                    .allSatisfy(l -> assertThat(l).contains("user_id=" + OTHER_ACCOUNT, "id=" + id)
                            .doesNotContain(headers.get("X-Ideogram-Webhook-Signature")));
        }

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(IGNORED);
        assertThat(answer.headers().firstValue("X-Ideogram-Webhook-Signature")).isEmpty();
        assertThat(store().find(id)).isEmpty();
        assertThat(ignored("ideogram")).isEqualTo(before + 1);
        // a redelivery is ignored again, not remembered anywhere
        assertThat(deliver(ideogram.signAs(OTHER_ACCOUNT, id, body), body).body()).isEqualTo(IGNORED);
        assertThat(store().find(id)).isEmpty();
    }

    @Test
    void aListedIdeogramAccountIsAccepted() {
        String id = IdeogramStandIn.newGenerationId();

        HttpResponse<String> answer = deliverSigned(id, 1);

        assertThat(answer.body()).isEqualTo("{\"status\":\"accepted\"}");
        assertThat(store().find(id)).isPresent();
    }

    @Test
    void theSignatureIsCheckedBeforeTheAccount() {
        String id = IdeogramStandIn.newGenerationId();
        byte[] body = IdeogramStandIn.deliveryBody(id, 1);
        Map<String, String> headers = new java.util.HashMap<>(ideogram.signAs(OTHER_ACCOUNT, id, body));
        headers.put("X-Ideogram-Webhook-Signature", "00".repeat(64));

        HttpResponse<String> answer = deliver(headers, body);

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).isEqualTo("{\"error\":\"invalid_signature\"}");
    }

    @Test
    void aFalDeliveryForAnotherAccountIsIgnoredCountedAndNeverArchived() throws Exception {
        double before = ignored("fal");

        FalSender.Sent sent;
        try (LogCapture lines = LogCapture.of("io.ideogramcamel.provider")) {
            sent = standIn.fal().send(falUrl(), "OK", 1, "another-fal-user");
            assertThat(lines.lines()).filteredOn(l -> l.contains("reason=user_not_allowed")).hasSize(1)
                    .allSatisfy(l -> assertThat(l).contains("provider=fal", "id=" + sent.requestId()));
        }

        assertThat(sent.status()).isEqualTo(200);
        assertThat(sent.answer()).isEqualTo(IGNORED);
        assertThat(ignored("fal")).isEqualTo(before + 1);
        assertThat(store().find("fal/" + sent.requestId())).isEmpty();
        Thread.sleep(1000); // an archive hint, had there been one, would have fetched by now
        assertThat(standIn.fal().imageFetches(sent.requestId(), 0)).isZero();
        assertThat(Http.get(baseUrl() + "/generations/fal/" + sent.requestId()).statusCode()).isEqualTo(404);
    }

    @Test
    void aFalErrorForAnotherAccountIsIgnoredToo() throws Exception {
        FalSender.Sent sent = standIn.fal().send(falUrl(), "ERROR", 0, "another-fal-user");

        assertThat(sent.answer()).isEqualTo(IGNORED);
        assertThat(store().find("fal/" + sent.requestId())).isEmpty();
    }

    @Test
    void theListedFalAccountIsAcceptedAndArchived() throws Exception {
        FalSender.Sent sent = standIn.fal().send(falUrl(), "OK", 1);

        assertThat(sent.answer()).isEqualTo("{\"status\":\"accepted\"}");
        awaitState("fal/" + sent.requestId(), GenerationState.ARCHIVED, Duration.ofSeconds(30));
        assertThat(standIn.fal().imageFetches(sent.requestId(), 0)).isEqualTo(1);
    }

    /** ideogram_provider_ignored_total{provider="..."} now. */
    private double ignored(String provider) {
        String metrics = Http.get(baseUrl() + "/observe/metrics").body();
        Matcher sample = Pattern.compile("(?m)^ideogram_provider_ignored_total\\{[^}]*provider=\"" + provider
                + "\"[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
        assertThat(sample.find()).as("ignored counter of %s in %s", provider, "metrics").isTrue();
        return Double.parseDouble(sample.group(1));
    }
}
