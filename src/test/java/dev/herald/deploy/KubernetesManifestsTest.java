package dev.herald.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.herald.testing.DebianTools;

/** deploy/kubernetes renders with kubectl, and what it renders keeps the promises docs/operations.md makes. */
class KubernetesManifestsTest {

    private static final Set<String> SECRET_ENV = Set.of("QUARKUS_DATASOURCE_REACTIVE_URL",
            "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD", "HERALD_ADMIN_KEY",
            "HERALD_SIGNING_ENCRYPTION_KEY");

    @ParameterizedTest
    @ValueSource(strings = { "deploy/kubernetes", "deploy/kubernetes/overlays/dev", "deploy/kubernetes/overlays/prod" })
    void rendersEveryObjectAReplicatedSecuredHeraldNeeds(String kustomization) throws Exception {
        Map<String, JsonNode> objects = render(kustomization);
        for (String kind : List.of("Deployment", "Service", "ConfigMap", "ServiceMonitor", "PodDisruptionBudget",
                "HorizontalPodAutoscaler", "NetworkPolicy")) {
            assertTrue(objects.containsKey(kind), kustomization + " renders no " + kind);
        }
        JsonNode deployment = objects.get("Deployment").path("spec");
        JsonNode pod = deployment.path("template").path("spec");
        JsonNode podLabels = deployment.path("template").path("metadata").path("labels");
        JsonNode container = pod.path("containers").get(0);

        assertTrue(deployment.path("replicas").asInt() >= 2, "two replicas or more");
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertEquals("management", container.path("readinessProbe").path("httpGet").path("port").asText(),
                "health on the management port");
        assertEquals("9000", deployment.path("template").path("metadata").path("annotations")
                .path("prometheus.io/port").asText(), "metrics on the management port");
        assertEquals("management", objects.get("ServiceMonitor").path("spec").path("endpoints").get(0).path("port")
                .asText());
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertTrue(container.path("resources").path("requests").has("cpu"));
        assertTrue(container.path("resources").path("limits").has("memory"));
        assertTrue(pod.path("terminationGracePeriodSeconds").asInt() >= 35, "long enough to drain a 30 s attempt");
        assertEquals("true", deployment.path("template").path("metadata").path("annotations").path("prometheus.io/scrape").asText());

        Set<String> fromSecret = new HashSet<>();
        container.path("env").forEach(env -> {
            if (env.path("valueFrom").has("secretKeyRef")) {
                fromSecret.add(env.path("name").asText());
            }
        });
        Set<String> expected = new HashSet<>(SECRET_ENV);
        expected.add("HERALD_SIGNING_ENCRYPTION_KEYS"); // optional: the key ring once keys rotate
        expected.add("HERALD_DELIVERY_PROXY"); // optional: a fixed egress
        assertEquals(expected, fromSecret);
        assertTrue(container.path("envFrom").get(0).has("configMapRef"));

        assertSelects(objects.get("Service").path("spec").path("selector"), podLabels);
        assertSelects(objects.get("PodDisruptionBudget").path("spec").path("selector").path("matchLabels"), podLabels);
        assertSelects(objects.get("NetworkPolicy").path("spec").path("podSelector").path("matchLabels"), podLabels);
        assertSelects(deployment.path("selector").path("matchLabels"), podLabels);

        JsonNode ingress = objects.get("NetworkPolicy").path("spec").path("ingress");
        ingress.forEach(rule -> {
            if (rule.path("ports").toString().contains("9000")) {
                assertTrue(rule.has("from"), "the management port is open to the monitoring namespace only: " + rule);
            }
        });
        String egress = objects.get("NetworkPolicy").path("spec").path("egress").toString();
        assertTrue(egress.contains("kube-dns") && egress.contains("5432"), "DNS and the database: " + egress);
        assertTrue(egress.contains("10.0.0.0/8") && egress.contains("169.254.0.0/16"), "no internal ranges: " + egress);
    }

    @ParameterizedTest
    @ValueSource(strings = { "deploy/kubernetes/overlays/dev" })
    void theDevOverlayGeneratesItsSecretWithEveryKey(String kustomization) throws Exception {
        JsonNode secret = render(kustomization).get("Secret");
        Set<String> keys = new HashSet<>();
        secret.path("data").fieldNames().forEachRemaining(keys::add);
        assertEquals(SECRET_ENV, keys);
    }

    @ParameterizedTest
    @ValueSource(strings = { "deploy/kubernetes/overlays/prod" })
    void productionRunsThreeReplicasOfAPinnedImage(String kustomization) throws Exception {
        Map<String, JsonNode> objects = render(kustomization);
        assertEquals(3, objects.get("Deployment").path("spec").path("replicas").asInt());
        String image = objects.get("Deployment").path("spec").path("template").path("spec").path("containers").get(0)
                .path("image").asText();
        assertTrue(image.matches(".+:\\d+\\.\\d+\\.\\d+"), image);
        assertEquals(2, objects.get("PodDisruptionBudget").path("spec").path("minAvailable").asInt());
    }

    /** Connections kept free of Herald's budget: the operator's own, monitoring, a person's psql. */
    private static final int RESERVED_CONNECTIONS = 10;

    @ParameterizedTest
    @ValueSource(strings = { "deploy/kubernetes", "deploy/kubernetes/overlays/dev", "deploy/kubernetes/overlays/prod" })
    void everyReplicaTheAutoscalerMayRunGetsItsConnections(String kustomization) throws Exception {
        Map<String, JsonNode> objects = render(kustomization);
        int maxReplicas = objects.get("HorizontalPodAutoscaler").path("spec").path("maxReplicas").asInt();
        int surge = objects.get("Deployment").path("spec").path("strategy").path("rollingUpdate").path("maxSurge")
                .asInt(-1);
        String poolSize = objects.get("ConfigMap").path("data").path("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE").asText();
        assertTrue(surge >= 0, "maxSurge is a number of pods, which the budget counts");
        assertTrue(poolSize.matches("\\d+"), "the pool size is set in the ConfigMap: " + poolSize);

        JsonNode cluster = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("deploy/kubernetes/cloudnative-pg/cluster.yaml").toFile());
        int maxConnections = cluster.path("spec").path("postgresql").path("parameters").path("max_connections").asInt();
        int needed = (maxReplicas + surge) * (Integer.parseInt(poolSize) + 1) + RESERVED_CONNECTIONS;
        assertTrue(needed <= maxConnections, kustomization + ": " + (maxReplicas + surge) + " replicas of "
                + poolSize + " pooled connections and 1 listener each, and " + RESERVED_CONNECTIONS + " reserved, need "
                + needed + "; the cluster's max_connections is " + maxConnections);
    }

    private static void assertSelects(JsonNode selector, JsonNode podLabels) {
        assertTrue(selector.size() > 0, "an empty selector selects everything");
        selector.fields().forEachRemaining(label -> assertEquals(label.getValue().asText(),
                podLabels.path(label.getKey()).asText(), "selector label " + label.getKey()));
    }

    /** The rendered objects by kind (one of each here). */
    private static Map<String, JsonNode> render(String kustomization) throws Exception {
        String kubectl = DebianTools.require("kubectl", "kubectl").toString();
        String yaml = DebianTools.run(List.of(kubectl, "kustomize", kustomization));
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = mapper.getFactory().createParser(yaml)) {
            mapper.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        Map<String, JsonNode> byKind = new java.util.HashMap<>();
        for (JsonNode document : documents) {
            byKind.put(document.path("kind").asText(), document);
        }
        return byKind;
    }
}
