package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The remembered form of an API URL: comparable, and safe to log. */
class ApiUrlsTest {

    @Test
    void keepsSchemeHostPortAndPathOnly() {
        assertThat(ApiUrls.normalise("https://api.ideogram.ai")).isEqualTo("https://api.ideogram.ai:443");
        assertThat(ApiUrls.normalise(" HTTP://User:Secret@LocalHost/v1/?key=abc#x "))
                .isEqualTo("http://localhost:80/v1");
        assertThat(ApiUrls.normalise("http://127.0.0.1:8090/")).isEqualTo("http://127.0.0.1:8090");
    }

    @Test
    void refusesWhatIsNotAnHttpUrl() {
        assertThatThrownBy(() -> ApiUrls.normalise("ftp://example.com")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiUrls.normalise("api.ideogram.ai")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiUrls.normalise("")).isInstanceOf(IllegalArgumentException.class);
    }
}
