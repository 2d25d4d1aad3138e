package dev.herald.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.Management;
import dev.herald.testing.DebianTools;
import dev.herald.testing.Receiver;
import dev.herald.testing.TemporaryFiles;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A real Prometheus (Debian's) scrapes this Herald while it delivers: its query API sees the rate, every dashboard
 * panel's query draws something, and every alert's expression is accepted.
 */
@Slow
@QuarkusTest
class PrometheusScrapeTest {

    private static final String QUERY = "sum(rate(herald_deliveries_total{outcome=\"delivered\"}[20s]))";

    @Test
    void prometheusSeesAPositiveDeliveryRate() throws Exception {
        Path prometheus = DebianTools.require("prometheus", "prometheus");
        Path work = Files.createTempDirectory("herald-prometheus");
        int port = freePort();
        Files.writeString(work.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: herald
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(Management.port()));
        Process server = new ProcessBuilder(prometheus.toString(),
                "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        String key = GraphQL.newApplication("scraped");
        int provider = GraphQL.newProvider(key, "smtp");
        try (Receiver receiver = new Receiver()) {
            GraphQL.newWebhook(key, provider, receiver.url("/scraped"));
            // an event every half second, until Prometheus's query sees deliveries at a positive rate
            AtomicInteger sent = new AtomicInteger();
            try {
                await("a positive delivery rate in Prometheus").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500)).until(() -> {
                            Events.post(key, Events.notification(sent.getAndIncrement(), provider));
                            return query(port);
                        }, rate -> rate > 0);
            } catch (ConditionTimeoutException never) {
                throw new AssertionError("Prometheus never saw a delivery rate; its log: "
                        + Files.readString(work.resolve("prometheus.log")), never);
            }
            // the operator kit's queries run against what this Herald exports: each panel draws something, and
            // each alert's expression is one Prometheus accepts
            JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/prometheus/grafana-dashboard.json").toFile());
            for (JsonNode panel : dashboard.get("panels")) {
                for (JsonNode target : panel.get("targets")) {
                    JsonNode answer = ask(port, target.get("expr").asText());
                    assertEquals("success", answer.path("status").asText(), panel.get("title") + ": " + answer);
                    assertFalse(answer.path("data").path("result").isEmpty(), panel.get("title") + " draws nothing: "
                            + target.get("expr").asText());
                }
            }
            JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy/prometheus/herald-alerts.yml")
                    .toFile());
            for (JsonNode rule : rules.get("groups").get(0).get("rules")) {
                JsonNode answer = ask(port, rule.get("expr").asText());
                assertEquals("success", answer.path("status").asText(), rule.get("alert") + ": " + answer);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            TemporaryFiles.deleteTree(work);
        }
    }

    /** Prometheus's whole answer to a query. */
    private static JsonNode ask(int port, String query) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(response.body());
    }

    /** The query's value, 0 while Prometheus has no answer yet. */
    private static double query(int port) throws InterruptedException {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode result = new ObjectMapper().readTree(response.body()).path("data").path("result");
            return result.isEmpty() ? 0 : result.get(0).get("value").get(1).asDouble();
        } catch (IOException notUpYet) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
