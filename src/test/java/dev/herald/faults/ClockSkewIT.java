package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.herald.testing.DebianTools;
import dev.herald.testing.Events;
import dev.herald.testing.Receiver;

/**
 * Two replicas whose clocks are 30 s behind and 30 s ahead of the database's (libfaketime, Debian's
 * {@code faketime}): retries still come as scheduled at the receiver, and neither replica spins on claims. The
 * schedule here is 2, 4 and 5 s, half the default's, only to keep the test short: the skews are far longer.
 */
class ClockSkewIT extends FaultTier {

    @Test
    void retriesKeepTheirScheduleWhenReplicaClocksDisagreeWithTheDatabase() throws Exception {
        Path fakeTime = libfaketime();
        try (Receiver receiver = new Receiver();
                Herald behind = skewed("clock-behind", fakeTime, "-30s");
                Herald ahead = skewed("clock-ahead", fakeTime, "+30s")) {
            Herald.awaitReady(behind, ahead);
            receiver.answer("/skewed", 503, Duration.ZERO);
            Herald.Tenant tenant = behind.newTenant("skew");
            behind.newWebhook(tenant, receiver.url("/skewed"));
            long commitsBefore = commits();
            ahead.postEvents(tenant.key(), Events.notification(1, tenant.provider()));

            List<Receiver.Received> attempts = receiver.await("/skewed", r -> r.size() == 4, Duration.ofSeconds(25));
            long[] expected = { 2_000, 4_000, 5_000 };
            StringBuilder gaps = new StringBuilder();
            for (int i = 1; i < 4; i++) {
                long gap = Duration.between(attempts.get(i - 1).at(), attempts.get(i).at()).toMillis();
                gaps.append(' ').append(gap);
                assertTrue(Math.abs(gap - expected[i - 1]) <= 500, "gap " + i + " was " + gap + " ms, not "
                        + expected[i - 1]);
            }
            // two idle replicas commit a few statements a second (poll, reaper, vacuum, gauges); a spinning claim
            // loop commits hundreds
            long commits = commits() - commitsBefore;
            assertTrue(commits < 500, commits + " commits in 11 s: a replica spins on claims");
            System.out.printf("FAULT clock skew: retry gaps%s ms, %d commits in 11 s%n", gaps, commits);
        }
    }

    private Herald skewed(String name, Path fakeTime, String offset) throws Exception {
        return Herald.named(name)
                .with("LD_PRELOAD", fakeTime.toString())
                .with("FAKETIME", offset)
                .with("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                // without this libfaketime makes a JVM start ten times slower and spin
                .with("FAKETIME_FORCE_MONOTONIC_FIX", "0")
                .with("HERALD_DELIVERY_RETRY_SCHEDULE", "2s,4s,5s")
                .startBeside(database);
    }

    private long commits() {
        return database.queryLong("SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'");
    }

    private static Path libfaketime() throws IOException, InterruptedException {
        DebianTools.require("faketime", "faketime");
        try (Stream<Path> found = Files.find(Path.of("/usr/lib"), 3,
                (path, attributes) -> path.getFileName().toString().equals("libfaketime.so.1"))) {
            return found.findFirst().orElseThrow(() -> new AssertionError("faketime is installed without libfaketime.so.1"));
        }
    }
}
