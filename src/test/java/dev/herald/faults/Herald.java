package dev.herald.faults;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.testing.TemporaryFiles;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package} before this tier
 * runs) as a real process in the production profile, against a {@link Postgres}: what an operator deploys. Its
 * output goes to {@code target/faults/<name>.log}, where tests read the lines an operator would see.
 */
public final class Herald implements AutoCloseable {

    public static final String ADMIN_KEY = "faults-admin-key-of-at-least-32-characters";
    /** base64 of 32 bytes: the key signing secrets are encrypted with in these tests. */
    public static final String ENCRYPTION_KEY = "ZmF1bHRzLXRpZXIta2V5LWZvci1oZXJhbGQtdGVzdHM=";
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /**
     * JVM options of every replica a tier starts, from {@code herald.tier.jvm-options} (pom.xml: the fault tier runs
     * its replicas with C1 only, which cuts their start and the CPU they take from the tests beside them).
     */
    private static final List<String> TIER_JVM_OPTIONS = List.of(System.getProperty("herald.tier.jvm-options", "")
            .trim().split("\\s+")).stream().filter(option -> !option.isEmpty()).toList();
    /** Every process started, killed when the test JVM exits whatever a test did: none outlives the build. */
    private static final Set<Process> STARTED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;

    private Herald(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    /** A replica's launch: settings and process options. */
    public static final class Launch {

        private final String name;
        private final Map<String, String> environment = new HashMap<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final Set<String> omitted = new HashSet<>();
        private String database = "postgres";

        private Launch(String name) {
            this.name = name;
        }

        /** Sets a Herald setting by its environment variable, e.g. {@code HERALD_DELIVERY_TIMEOUT}. */
        public Launch with(String variable, String value) {
            environment.put(variable, value);
            return this;
        }

        /** Leaves a setting out that the tier sets by default (a required one, to see the replica refuse to start). */
        public Launch without(String variable) {
            omitted.add(variable);
            return this;
        }

        /** Another database of the server than the shared one. */
        public Launch database(String name) {
            database = name;
            return this;
        }

        public Launch jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Starts the replica and waits (bounded) until it is ready. */
        public Herald start(Postgres server) throws IOException, InterruptedException {
            Herald herald = launch(server);
            try {
                herald.awaitReady(Duration.ofSeconds(60));
            } catch (RuntimeException | AssertionError notReady) {
                herald.process.destroyForcibly();
                throw notReady;
            }
            return herald;
        }

        /**
         * Starts the replica without waiting for it: replicas started together with this and then awaited with
         * {@link Herald#awaitReady(Herald...)} start side by side, as a rollout starts them. Open it in a
         * try-with-resources before awaiting, so that it is stopped whatever happens.
         */
        public Herald startBeside(Postgres server) throws IOException {
            return launch(server);
        }

        /** Starts a replica that is expected to stop by itself within {@code timeout}: answers what it printed. */
        public Exited startExpectingExit(Postgres server, Duration timeout) throws IOException, InterruptedException {
            Herald herald = launch(server);
            if (!herald.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                herald.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(name + " did not stop within " + timeout + ":\n" + herald.log());
            }
            return new Exited(herald.process.exitValue(), herald.log());
        }

        private Herald launch(Postgres server) throws IOException {
            if (!Files.exists(JAR)) {
                throw new AssertionError(JAR + " is missing: the fault tier runs after `package` (./mvnw verify)");
            }
            int port = Postgres.freePort();
            int managementPort = Postgres.freePort();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-Djava.io.tmpdir=" + TemporaryFiles.directory()));
            command.addAll(TIER_JVM_OPTIONS);
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", JAR.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            Path log = Files.createDirectories(Path.of("target", "faults")).resolve(name + ".log");
            builder.redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", server.reactiveUrl(database));
            env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
            env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
            env.put("HERALD_ADMIN_KEY", ADMIN_KEY);
            env.put("HERALD_SIGNING_ENCRYPTION_KEY", ENCRYPTION_KEY);
            env.put("HERALD_DELIVERY_REQUIRE_HTTPS", "false");
            env.put("HERALD_DELIVERY_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128");
            env.putAll(environment);
            omitted.forEach(env::remove);
            Herald herald = new Herald(name, port, managementPort, builder.start(), log);
            STARTED.add(herald.process);
            return herald;
        }
    }

    /** How a replica that stopped by itself ended. */
    public record Exited(int exitCode, String log) {
    }

    public static Launch named(String name) {
        return new Launch(name);
    }

    public long pid() {
        return process.pid();
    }

    /** The URL of a path: metrics and health on the management port, everything else on the API's. */
    public String url(String path) {
        boolean management = path.startsWith("/q/metrics") || path.startsWith("/q/health");
        return "http://127.0.0.1:" + (management ? managementPort : port) + path;
    }

    /** The URL of a path on the API's port, whatever it is (to show what the public port does not serve). */
    public String publicUrl(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** The answer to a GraphQL operation sent with {@code x-api-key: key}. */
    public JsonNode graphql(String key, String query) throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url("/graphql")))
                .header("Content-Type", "application/json").header("x-api-key", key)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query))))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(answer.body());
        if (answer.statusCode() != 200) {
            throw new AssertionError("GraphQL answered " + answer.statusCode() + ": " + answer.body());
        }
        return json;
    }

    /** The data of a GraphQL operation that must succeed. */
    public JsonNode data(String key, String query) throws IOException, InterruptedException {
        JsonNode answer = graphql(key, query);
        if (answer.has("errors")) {
            throw new AssertionError("GraphQL errors: " + answer.get("errors"));
        }
        return answer.get("data");
    }

    /** A new application with one provider: answers its key and provider id. */
    public Tenant newTenant(String application) throws IOException, InterruptedException {
        String key = data(ADMIN_KEY, "mutation { createApplication(createApplicationInput: {name: \"%s\"}) { apiKey } }"
                .formatted(application)).at("/createApplication/apiKey").asText();
        int provider = data(key, "mutation { createProvider(createProviderInput: {name: \"smtp\", channelType: 1})"
                + " { providerId } }").at("/createProvider/providerId").asInt();
        return new Tenant(key, provider);
    }

    /** An application's key and its provider. */
    public record Tenant(String key, int provider) {
    }

    /** Registers a webhook and answers its id. */
    public long newWebhook(Tenant tenant, String webhookUrl) throws IOException, InterruptedException {
        return data(tenant.key(), "mutation { webhook(createWebhookInput: {providerId: %d, webhookUrl: \"%s\"}) { id } }"
                .formatted(tenant.provider(), webhookUrl)).at("/webhook/id").asLong();
    }

    /** Posts events (a notification object or an array) and answers their ids, asserting 202. */
    public List<Long> postEvents(String key, String body) throws IOException, InterruptedException {
        return postEvents(key, body, Map.of());
    }

    /** Posts events with an {@code Idempotency-Key} (none when null) and answers their ids, asserting 202. */
    public List<Long> postEvents(String key, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        return postEvents(key, body, idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    }

    /** Posts events with more request headers and answers their ids, asserting 202. */
    public List<Long> postEvents(String key, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/v1/events")))
                .header("Content-Type", "application/json").header("x-api-key", key)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new AssertionError("/v1/events answered " + answer.statusCode() + ": " + answer.body());
        }
        List<Long> ids = new ArrayList<>();
        JSON.readTree(answer.body()).get("eventIds").forEach(id -> ids.add(id.asLong()));
        return ids;
    }

    /**
     * A request as a client would send it, raw: a POST of {@code body} (bytes as given) to a path on the API's port
     * with exactly these headers (no Content-Type unless given). Answers the whole answer.
     */
    public HttpResponse<String> post(String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(publicUrl(path)))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status code of a GET (-1 when it cannot be reached). */
    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    public String get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Everything the process printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The printed lines that contain {@code text}. */
    public List<String> logLines(String text) {
        return log().lines().filter(line -> line.contains(text)).toList();
    }

    public void freeze() {
        Postgres.Processes.run(List.of("kill", "-STOP", Long.toString(pid())));
    }

    public void thaw() {
        Postgres.Processes.run(List.of("kill", "-CONT", Long.toString(pid())));
    }

    /** SIGTERM, as Kubernetes stops a pod; answers the exit code (bounded wait). */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(name + " did not stop within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    /** kill -9. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Waits (bounded) until each of the replicas is ready. */
    public static void awaitReady(Herald... replicas) {
        for (Herald replica : replicas) {
            replica.awaitReady(Duration.ofSeconds(60));
        }
    }

    private void awaitReady(Duration timeout) {
        try {
            await(name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .failFast(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + log());
                        }
                    })
                    .until(() -> status("/q/health/ready") == 200);
        } catch (ConditionTimeoutException notReady) {
            throw new AssertionError(name + " was not ready within " + timeout + ":\n" + log(), notReady);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            thawQuietly();
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void thawQuietly() {
        try {
            thaw();
        } catch (RuntimeException alreadyRunning) {
            // nothing to thaw
        }
    }
}
