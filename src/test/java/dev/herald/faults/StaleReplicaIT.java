package dev.herald.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.herald.testing.DebianTools;
import dev.herald.testing.Pause;
import dev.herald.testing.Receiver;

/**
 * One of two replicas is frozen (SIGSTOP) for longer than its lease while it delivers, then resumed. The other
 * takes its claims over; the stale replica's late outcomes change nothing, it sends nothing the other took over,
 * and only what it had in flight at the freeze arrives twice.
 */
class StaleReplicaIT extends FaultTier {

    private static final Pattern SOCKET = Pattern.compile("127\\.0\\.0\\.1:(\\d+)\\s+127\\.0\\.0\\.1:\\d+.*pid=(\\d+),");

    @Test
    void aReplicaFrozenPastItsLeaseIsFencedOutAndSendsNothingTakenOver() throws Exception {
        try (Receiver receiver = new Receiver();
                Herald stale = replica("stale-replica");
                Herald survivor = replica("surviving-replica");
                Flow flow = Flow.to(stale, receiver, "stale", 10, Duration.ofMillis(300))) {
            flow.produce(10, 20, Duration.ofMillis(50)); // 200 notifications: 2,000 deliveries, about 6 s of work
            flow.awaitProducer(Duration.ofSeconds(30));
            receiver.awaitTotal(300, Duration.ofSeconds(20));
            stale.freeze();
            Instant frozen = Instant.now(); // once kill -STOP has returned: whatever it sent, it sent before
            Pause.because(Duration.ofSeconds(8),
                    "frozen for twice its 4 s lease: the other replica takes its claims over");
            Instant thawed = Instant.now();
            stale.thaw();

            flow.awaitEverythingAccepted(Duration.ofSeconds(60));
            assertEquals(200, flow.accepted().size());
            Map<Integer, Long> senders = sendersByPort(receiver.port());
            Map<String, Receiver.Received> firstSeen = new HashMap<>();
            Map<String, Integer> arrivals = new HashMap<>();
            // the receiver stamps a request once its body is read: one written just before the freeze may be
            // stamped a little after it; a request taken over is sent again only a lease (4 s) later
            Instant inFlightAtFreeze = frozen.plusSeconds(1);
            List<Receiver.Received> requests = flow.requests().stream()
                    .sorted((a, b) -> a.at().compareTo(b.at())).toList();
            for (Receiver.Received request : requests) {
                String id = request.headers().get("webhook-id");
                Receiver.Received first = firstSeen.putIfAbsent(id, request);
                if (first == null) {
                    continue;
                }
                assertTrue(arrivals.merge(id, 2, (a, b) -> a + 1) <= 2, id + " arrived three times or more");
                assertTrue(first.at().isBefore(inFlightAtFreeze), id + " was sent again though it was not in flight"
                        + " at the freeze (first at " + first.at() + ", frozen at " + frozen + ")");
                Long sender = senders.get(request.remotePort());
                assertTrue(sender == null || sender != stale.pid() || request.at().isBefore(thawed),
                        "the stale replica sent " + id + " after it was taken over");
            }
            assertTrue(flow.duplicates() <= 100, flow.duplicates() + " duplicates: more than could be in flight");
            database.awaitCount("endpoint_state WHERE in_flight <> 0", 0, Duration.ofSeconds(10));
        }
    }

    private Herald replica(String name) throws Exception {
        return Herald.named(name)
                .with("HERALD_DELIVERY_TIMEOUT", "2s")
                .with("HERALD_DISPATCH_LEASE", "4s")
                .with("HERALD_DELIVERY_MAX_PER_MINUTE_PER_ENDPOINT", "100000")
                .start(database);
    }

    /** Which process holds each keep-alive connection to the receiver, by its local port (ss -tnp). */
    private static Map<Integer, Long> sendersByPort(int receiverPort) throws IOException, InterruptedException {
        DebianTools.require("ss", "iproute2");
        Map<Integer, Long> senders = new HashMap<>();
        String sockets = DebianTools.run(List.of("ss", "-tnpH", "dst", "127.0.0.1:" + receiverPort));
        for (String line : sockets.lines().toList()) {
            Matcher socket = SOCKET.matcher(line);
            if (socket.find()) {
                senders.put(Integer.parseInt(socket.group(1)), Long.parseLong(socket.group(2)));
            }
        }
        return senders;
    }
}
