package dev.herald.tracing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A real OTLP/HTTP receiver on loopback, started with the profile (before the application exports anything): it
 * answers 200 to every export and keeps the request bodies (protobuf) in a queue that the test reads. The queue
 * sits in the system properties: a JDK type there is the same object for the profile and the test, whatever class
 * loaders load them.
 */
public class OtlpCollector implements QuarkusTestProfile {

    static final String BODIES = "herald.test.otlp-bodies";

    @SuppressWarnings("unchecked")
    static Queue<byte[]> bodies() {
        return (Queue<byte[]>) System.getProperties().get(BODIES);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf",
                "quarkus.otel.exporter.otlp.traces.endpoint", "http://127.0.0.1:" + start(),
                "quarkus.otel.bsp.schedule.delay", "100ms");
    }

    private static synchronized int start() {
        Object port = System.getProperties().get(BODIES + ".port");
        if (port != null) {
            return (Integer) port;
        }
        Queue<byte[]> bodies = new ConcurrentLinkedQueue<>();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                bodies.add(exchange.getRequestBody().readAllBytes());
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.start(); // a daemon-less server: it ends with the test JVM
            System.getProperties().put(BODIES, bodies);
            System.getProperties().put(BODIES + ".port", server.getAddress().getPort());
            return server.getAddress().getPort();
        } catch (IOException e) {
            throw new IllegalStateException("the OTLP receiver did not start", e);
        }
    }
}
