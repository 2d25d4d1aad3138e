package dev.herald.delivery;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import dev.herald.bench.BenchEvent;

/**
 * JMH (bench/jmh): the CPU of one attempt's request apart from the network, on a bench event's body (about 150
 * bytes) and a 4 KiB one: its signature headers (one secret; two during a rotation; with the legacy HMAC-SHA512),
 * the legacy webhooks' compact body, and naming a network failure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SendPathBenchmark {

    private final byte[] small = BenchEvent.json(1, 100_001, 1_764_770_000_000L).getBytes(StandardCharsets.UTF_8);
    private final byte[] large = ("{\"data\": \"" + "x".repeat(4096 - 12) + "\"}").getBytes(StandardCharsets.UTF_8);
    private final String indented = "{\n  \"id\": 1,\n  \"providerId\": 100001,\n  \"data\": {\n    \"to\": \"a@b.c\"\n  }\n}";
    private final SigningKeys one = new SigningKeys("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null, null);
    private final SigningKeys rotating = new SigningKeys("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", null);
    private final SigningKeys legacy = new SigningKeys("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null, "x-signature");
    private final ConnectException refused = new ConnectException("Connection refused: /127.0.0.1:9");

    @Benchmark
    public Map<String, String> signOneSecret() {
        return one.headers("msg_1", 1764770000L, small);
    }

    @Benchmark
    public Map<String, String> signOneSecret4KiB() {
        return one.headers("msg_1", 1764770000L, large);
    }

    @Benchmark
    public Map<String, String> signDuringRotation() {
        return rotating.headers("msg_1", 1764770000L, small);
    }

    @Benchmark
    public Map<String, String> signWithLegacyHeader() {
        return legacy.headers("msg_1", 1764770000L, small);
    }

    @Benchmark
    public String compactLegacyBody() {
        return CompactJson.stringify(indented);
    }

    @Benchmark
    public String classifyRefusedConnection() {
        return WebhookSender.classify(refused);
    }
}
