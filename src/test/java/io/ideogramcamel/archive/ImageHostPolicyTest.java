package io.ideogramcamel.archive;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageHostPolicyTest {

    private static ImageHostPolicy policy(String hosts) {
        ImageHostPolicy policy = new ImageHostPolicy();
        policy.setAllowedHosts(hosts);
        return policy;
    }

    private static ImageHostPolicy allowingHttp(String hosts) {
        ImageHostPolicy policy = policy(hosts);
        policy.setAllowHttp(true);
        return policy;
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://ideogram.ai/api/images/a.png?exp=1&sig=x",
            "https://IDEOGRAM.AI/a.png",
            "https://cdn.ideogram.ai/a.png",
            "https://a.b.ideogram.ai:8443/a.png",
            "https://ideogram.ai./a.png" })
    void allowsListedNamesAndSuffixes(String url) {
        assertThat(policy("ideogram.ai, *.ideogram.ai").check(url)).isNotNull();
    }

    @ParameterizedTest
    @CsvSource({
            "https://evilideogram.ai/a.png, host_not_allowed",
            "https://ideogram.ai.evil.com/a.png, host_not_allowed",
            "https://169.254.169.254/latest/meta-data, host_not_allowed",
            "https://127.0.0.1/a.png, host_not_allowed",
            "https://[::1]/a.png, host_not_allowed",
            "https://user:pw@ideogram.ai/a.png, invalid_url",
            "ftp://ideogram.ai/a.png, unsupported_scheme",
            "http://ideogram.ai/a.png?sig=x, unsupported_scheme",
            "file:///etc/passwd, unsupported_scheme",
            "https://ideogram.ai/a b.png, invalid_url" })
    void refusesEverythingElseBeforeAnyRequest(String url, String reason) {
        assertThatThrownBy(() -> policy("ideogram.ai,*.ideogram.ai").check(url))
                .isInstanceOf(ImageRefusedException.class)
                .hasMessage(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", " " })
    void refusesAMissingUrl(String url) {
        assertThatThrownBy(() -> policy("ideogram.ai").check(url)).hasMessage("no_url");
    }

    @ParameterizedTest
    @CsvSource({ "127.0.0.1, http://127.0.0.1:8080/a.png", "::1, http://[::1]:8080/a.png" })
    void anIpLiteralIsAllowedOnlyWhenListed(String listed, String url) {
        assertThat(allowingHttp(listed).check(url)).isNotNull();
        assertThatThrownBy(() -> allowingHttp("ideogram.ai").check(url)).hasMessage("host_not_allowed");
    }
}
