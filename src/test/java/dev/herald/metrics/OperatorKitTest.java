package dev.herald.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.testing.DebianTools;
import io.quarkus.test.junit.QuarkusTest;

/** deploy/prometheus: the rules pass promtool, and rules and dashboard only name metrics Herald exports. */
@QuarkusTest
class OperatorKitTest {

    private static final Path KIT = Path.of("deploy/prometheus");
    private static final Pattern METRIC = Pattern.compile("\\bherald_[a-z_]+");

    @Test
    void alertRulesPassPromtoolCheckAndTheirUnitTests() throws Exception {
        Path promtool = DebianTools.require("promtool", "prometheus");
        String checked = DebianTools.run(List.of(promtool.toString(), "check", "rules",
                KIT.resolve("herald-alerts.yml").toString()));
        assertTrue(checked.contains("SUCCESS: 11 rules found"), checked);
        String tested = DebianTools.run(List.of(promtool.toString(), "test", "rules",
                KIT.resolve("herald-alerts.test.yml").toString()));
        assertTrue(tested.contains("SUCCESS"), tested);
    }

    @Test
    void rulesAndDashboardNameOnlyExportedMetrics() throws Exception {
        Set<String> exported = new TreeSet<>();
        MetricsTest.scrape().keySet().forEach(series -> exported.add(series.replaceAll("\\{.*", "")));
        Set<String> referenced = new TreeSet<>(names(Files.readString(KIT.resolve("herald-alerts.yml"))));
        JsonNode dashboard = new ObjectMapper().readTree(KIT.resolve("grafana-dashboard.json").toFile());
        dashboard.get("panels").forEach(panel -> panel.get("targets")
                .forEach(target -> referenced.addAll(names(target.get("expr").asText()))));
        assertTrue(referenced.size() >= 7, "the kit uses the metrics: " + referenced);
        for (String name : referenced) {
            assertTrue(exported.contains(name), name + " is referenced but not exported; exported: " + exported);
        }
    }

    /** The figures the conversation platform's spec says to watch, and the panel that shows each. */
    private static final Map<String, String> WATCHED = Map.of(
            "delivery success rate", "Success ratio",
            "average response time", "Average response time",
            "retry attempt counts", "Retries per second",
            "error rates by type", "Attempts by result",
            "processing time distribution", "Latency, accepted to 2xx");

    @Test
    void theDashboardHasAPanelForEveryFigureTheSpecWatches() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(KIT.resolve("grafana-dashboard.json").toFile());
        Map<String, JsonNode> panels = new HashMap<>();
        dashboard.get("panels").forEach(panel -> panels.put(panel.get("title").asText(), panel));
        WATCHED.forEach((figure, title) -> {
            JsonNode panel = panels.get(title);
            assertTrue(panel != null, "no panel \"" + title + "\" for the " + figure + "; panels: " + panels.keySet());
            assertTrue(panel.get("targets").size() > 0 && !panel.get("targets").get(0).get("expr").asText().isBlank(),
                    title + " queries nothing");
        });
    }

    private static Set<String> names(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }
}
