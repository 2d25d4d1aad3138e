package dev.herald.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.sun.net.httpserver.HttpServer;

/**
 * A real OTLP/HTTP receiver on loopback, started by the profile that exports traces ({@link FastFailures}) before
 * the application exports anything: it answers 200 to every export and keeps the request bodies (protobuf) in a
 * queue that the test reads. The queue sits in the system properties: a JDK type there is the same object for the
 * profile and the test, whatever class loaders load them.
 */
public final class OtlpCollector {

    private static final String BODIES = "herald.test.otlp-bodies";

    private OtlpCollector() {
    }

    /** Every export received so far, oldest first. */
    @SuppressWarnings("unchecked")
    public static Queue<byte[]> bodies() {
        return (Queue<byte[]>) System.getProperties().get(BODIES);
    }

    /** The settings that export Herald's spans to this collector, starting it on first use. */
    static Map<String, String> exportSettings() {
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
