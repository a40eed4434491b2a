package io.ideogramcamel.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ideogramcamel.testing.BundleTestSupport;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard and Prometheus rules query only metrics the bundle exports (from
 * its first scrape, before any event), and the rules file has the shape Prometheus loads.
 */
class DashboardAndRulesTest extends BundleTestSupport {

    private static final Path DASHBOARD = Path.of("deploy/grafana/ideogram-camel.json");
    private static final Path RULES = Path.of("deploy/prometheus/ideogram-camel-rules.yaml");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

    @Override
    protected String storeJdbcUrl() throws Exception {
        return "jdbc:h2:file:" + Files.createTempDirectory("ideogram-dashboard-").resolve("store") + ";WRITE_DELAY=0";
    }

    @Test
    void everyMetricTheDashboardAndRulesQueryIsExported() throws Exception {
        Set<String> queried = new TreeSet<>();
        for (String expr : dashboardExpressions()) {
            queried.addAll(PromQlNames.of(expr));
        }
        for (JsonNode rule : rules()) {
            queried.addAll(PromQlNames.of(rule.get("expr").asText()));
        }
        // the extraction found what the files are about (it is not vacuously empty)
        assertThat(queried).contains("ideogram_archive_backlog", "ideogram_archive_backlog_oldest_age_seconds",
                "ideogram_webhook_rejected_total", "ideogram_storage_up", "ideogram_store_up", "jvm_memory_used_bytes");

        String scrape = Metrics.awaitScrape(baseUrl(), s -> s.contains("ideogram_store_up ")
                && s.contains("ideogram_api_rejected_total{"));
        assertThat(Metrics.names(scrape)).containsAll(queried);
    }

    @Test
    void theRulesFileHasThePrometheusRuleFileShape() throws Exception {
        JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        assertThat(fieldNames(file)).containsExactly("groups");
        assertThat(file.get("groups").isArray()).isTrue();
        Set<String> alerts = new TreeSet<>();
        for (JsonNode group : file.get("groups")) {
            assertThat(fieldNames(group)).containsExactlyInAnyOrder("name", "rules");
            assertThat(group.get("rules").isArray() && !group.get("rules").isEmpty()).isTrue();
            for (JsonNode rule : group.get("rules")) {
                assertThat(fieldNames(rule)).as(rule.toString())
                        .containsExactlyInAnyOrder("alert", "expr", "for", "labels", "annotations");
                assertThat(rule.get("for").asText()).matches("\\d+[smhd]");
                assertThat(rule.get("labels").get("severity").asText()).isIn("warning", "critical");
                assertThat(rule.get("annotations").has("summary")).isTrue();
                assertThat(rule.get("expr").asText()).isNotBlank();
                alerts.add(rule.get("alert").asText());
            }
        }
        assertThat(alerts).contains("IdeogramArchiveBacklogGrowing", "IdeogramOldestReceivedTooOld",
                "IdeogramSignatureFailuresSpiking", "IdeogramStoreDown", "IdeogramS3Down");
    }

    @Test
    void theDashboardIsAGrafanaModelWithQueriesOnEveryPanel() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.get("title").asText()).isEqualTo("ideogram-camel");
        assertThat(dashboard.get("uid").asText()).isNotBlank();
        for (JsonNode panel : dashboard.get("panels")) {
            if (!"row".equals(panel.get("type").asText())) {
                assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
                assertThat(panel.has("gridPos")).isTrue();
            }
        }
    }

    private static List<String> dashboardExpressions() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText());
            if (m.find()) {
                exprs.add(m.group(1));
            }
        }
        assertThat(exprs).hasSizeGreaterThan(10);
        return exprs;
    }

    private static List<JsonNode> rules() throws Exception {
        JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
        List<JsonNode> rules = new ArrayList<>();
        file.get("groups").forEach(g -> g.get("rules").forEach(rules::add));
        return rules;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
