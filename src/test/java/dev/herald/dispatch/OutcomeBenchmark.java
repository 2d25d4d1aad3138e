package dev.herald.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.AttemptSettings;
import dev.herald.webhook.SealedAccess;

/** JMH (bench/jmh): deciding an attempt's outcome (delivered, a retry and its wait, a 429's pause). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OutcomeBenchmark {

    private final List<Duration> schedule = List.of(Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(10));
    private final ClaimedDelivery second = new ClaimedDelivery(1, 2, 1, 3, 2, 4, 5, "http://127.0.0.1:9/e", "{}", 0, "s",
            null, null, null, null, 0, 0, new AttemptSettings(schedule, 0, Duration.ofSeconds(30)),
            SealedAccess.NONE);
    private final AttemptResult ok = new AttemptResult(3, 200, null, "ok");
    private final AttemptResult serverError = new AttemptResult(3, 500, "http_500", "oops");
    private final AttemptResult tooMany = new AttemptResult(3, 429, "http_429", "", Duration.ofSeconds(30));

    @Benchmark
    public Outcome delivered() {
        return Outcome.of(second, ok);
    }

    @Benchmark
    public Outcome retried() {
        return Outcome.of(second, serverError);
    }

    @Benchmark
    public Outcome pausedBy429() {
        return Outcome.of(second, tooMany);
    }
}
