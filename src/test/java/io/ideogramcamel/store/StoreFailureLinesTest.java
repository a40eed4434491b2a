package io.ideogramcamel.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;

import io.ideogramcamel.testing.LogCapture;
import io.ideogramcamel.testing.TcpForwarder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * A store that is down or refuses the password says so with its URL (no credentials) and the
 * driver's reason, once per interval however often it is asked.
 */
class StoreFailureLinesTest {

    @Test
    void aWrongPasswordNamesTheUrlAndTheDriversReasonButNotThePassword() throws Exception {
        String url = "jdbc:h2:file:" + Files.createTempDirectory("ideogram-wrong-password-").resolve("store");
        GenerationStore owner = store(url, "sa", "right-secret");
        owner.start();
        owner.stop();

        GenerationStore store = store(url + ";USER=sa;PASSWORD=wrong-secret", null, null);
        try (LogCapture lines = LogCapture.of(GenerationStore.class)) {
            store.start();

            List<String> warnings = lines.lines().stream().filter(l -> l.startsWith("WARN")).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0))
                    .startsWith("WARN Generation store could not be reached at start")
                    .contains("url=" + url + " reason=SQLState 28000: Wrong user name or password")
                    .doesNotContain("wrong-secret", "right-secret", "PASSWORD", "\n");
        } finally {
            store.stop();
        }
    }

    @Test
    void postgresDownIsNamedOncePerIntervalWithUrlAndReason() throws Exception {
        try (TcpForwarder closed = TcpForwarder.closed(5432)) {
            String url = "jdbc:postgresql://127.0.0.1:" + closed.port() + "/test";
            GenerationStore store = store(url + "?user=test&password=pg-secret&ApplicationName=ideogram", null, null);
            try (LogCapture lines = LogCapture.of(GenerationStore.class)) {
                store.start();
                int atStart = lines.lines().size();
                for (int i = 0; i < 5; i++) {
                    assertThatThrownBy(() -> store.find("g")).isInstanceOf(StoreUnavailableException.class);
                }

                List<String> reads = lines.lines().subList(atStart, lines.lines().size());
                assertThat(reads).hasSize(1);
                assertThat(reads.get(0))
                        .startsWith("WARN Generation store could not ")
                        .contains(": url=" + url + "?ApplicationName=ideogram reason=SQLState 08001: ")
                        .contains("refused")
                        .doesNotContain("pg-secret", "password", "\n");
            } finally {
                store.stop();
            }
        }
    }

    @Test
    void acceptsThatCannotCommitNameTheUrlAndReasonOncePerInterval() throws Exception {
        try (TcpForwarder closed = TcpForwarder.closed(5432)) {
            String url = "jdbc:postgresql://127.0.0.1:" + closed.port() + "/test";
            GenerationStore store = store(url + "?password=pg-secret", "test", null);
            try (LogCapture lines = LogCapture.of(GenerationStore.class)) {
                store.start();
                for (int i = 0; i < 3; i++) {
                    String id = "gen-" + i;
                    assertThatThrownBy(() -> store.acceptReceived(id, "webhook", null, "[]"))
                            .isInstanceOf(StoreUnavailableException.class);
                }

                List<String> commits = lines.lines().stream().filter(l -> l.contains("could not commit")).toList();
                assertThat(commits).hasSize(1);
                assertThat(commits.get(0)).startsWith("WARN Generation store could not commit accepts: url=" + url
                        + " reason=SQLState 08001: ").doesNotContain("pg-secret");
            } finally {
                store.stop();
            }
        }
    }

    @Test
    void theReadinessCheckLogsTheCauseItKeepsOutOfItsAnswer() throws Exception {
        try (TcpForwarder closed = TcpForwarder.closed(5432);
                DefaultCamelContext camel = new DefaultCamelContext()) {
            String url = "jdbc:postgresql://127.0.0.1:" + closed.port() + "/test";
            GenerationStore store = store(url, "test", "pg-secret");
            StoreHealthCheck check = new StoreHealthCheck();
            check.setStore(store);
            check.setCamelContext(camel);
            try (LogCapture lines = LogCapture.of(GenerationStore.class)) {
                store.start();
                var result = check.call();

                assertThat(result.getMessage()).contains("generation store unavailable");
                assertThat(lines.await(0, "WARN Generation store could not answer the readiness check: url="
                        + url + " reason=SQLState 08001: ")).isNotNull();
            } finally {
                store.stop();
            }
        }
    }

    @Test
    void credentialsAreStrippedFromEveryUrlShape() {
        assertThat(StoreFailureText.redactUrl("jdbc:postgresql://bob:s3cret@db:5432/app?sslmode=require&password=x&user=bob"))
                .isEqualTo("jdbc:postgresql://db:5432/app?sslmode=require");
        assertThat(StoreFailureText.redactUrl("jdbc:postgresql://db/app?user=bob&password=x"))
                .isEqualTo("jdbc:postgresql://db/app");
        assertThat(StoreFailureText.redactUrl("jdbc:h2:file:./data/x;USER=sa;Password=x;WRITE_DELAY=0"))
                .isEqualTo("jdbc:h2:file:./data/x;WRITE_DELAY=0");
    }

    private static GenerationStore store(String url, String user, String password) {
        GenerationStore store = new GenerationStore();
        store.setJdbcUrl(url);
        store.setUsername(user);
        store.setPassword(password);
        store.setPoolSize(1);
        // H2 answers a wrong password after a deliberate delay: long enough to hear the driver's reason
        store.setConnectionTimeoutMillis(2000);
        return store;
    }
}
