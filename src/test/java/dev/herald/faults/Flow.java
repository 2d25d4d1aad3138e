package dev.herald.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.testing.Events;
import dev.herald.testing.Pause;
import dev.herald.testing.Receiver;

/**
 * Deliveries flowing while a fault strikes: a producer posts numbered notifications to one provider with
 * {@code endpoints} webhooks on a receiver, noting which were accepted (202); afterwards the receiver is checked
 * for every accepted notification at every endpoint, and for duplicates.
 */
final class Flow implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Herald herald;
    private final Receiver receiver;
    private final Herald.Tenant tenant;
    private final int endpoints;
    private final Set<Integer> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private Thread producer;

    private Flow(Herald herald, Receiver receiver, Herald.Tenant tenant, int endpoints) {
        this.herald = herald;
        this.receiver = receiver;
        this.tenant = tenant;
        this.endpoints = endpoints;
    }

    /** A tenant with {@code endpoints} webhooks at /w0, /w1, ... answering 200 after {@code answerAfter}. */
    static Flow to(Herald herald, Receiver receiver, String application, int endpoints, Duration answerAfter)
            throws IOException, InterruptedException {
        Herald.Tenant tenant = herald.newTenant(application);
        for (int i = 0; i < endpoints; i++) {
            receiver.answer("/w" + i, 200, answerAfter);
            herald.newWebhook(tenant, receiver.url("/w" + i));
        }
        return new Flow(herald, receiver, tenant, endpoints);
    }

    /** Posts {@code batches} batches of {@code perBatch} notifications, one batch every {@code every}, in the background. */
    Flow produce(int batches, int perBatch, Duration every) {
        producer = new Thread(() -> {
            for (int b = 0; b < batches; b++) {
                StringJoiner body = new StringJoiner(",", "[", "]");
                List<Integer> ids = new ArrayList<>();
                for (int i = 0; i < perBatch; i++) {
                    int id = b * perBatch + i;
                    ids.add(id);
                    body.add(Events.notification(id, tenant.provider()));
                }
                try {
                    herald.postEvents(tenant.key(), body.toString());
                    accepted.addAll(ids);
                } catch (IOException | AssertionError refusedOrUnreachable) {
                    refused.incrementAndGet(); // not accepted: the producer would retry it; it is not owed
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Pause.because(every, "the producer's pace: one batch every " + every);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "producer");
        producer.start();
        return this;
    }

    void awaitProducer(Duration timeout) throws InterruptedException {
        producer.join(timeout.toMillis());
        if (producer.isAlive()) {
            throw new AssertionError("the producer did not finish within " + timeout);
        }
    }

    Set<Integer> accepted() {
        return accepted;
    }

    /** Waits (bounded) until every accepted notification reached every endpoint. */
    void awaitEverythingAccepted(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertEquals(0, missing(),
                () -> "accepted deliveries still missing (accepted " + accepted.size() + " notifications × "
                        + endpoints + " endpoints)"));
    }

    /** Accepted (notification, endpoint) pairs the receiver has not seen. */
    int missing() {
        Map<String, Set<Integer>> seen = seen();
        int missing = 0;
        for (int i = 0; i < endpoints; i++) {
            Set<Integer> got = seen.getOrDefault("/w" + i, Set.of());
            for (int id : accepted) {
                if (!got.contains(id)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    /** Requests beyond the first for the same delivery (same webhook-id). */
    int duplicates() {
        int requests = 0;
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < endpoints; i++) {
            for (Receiver.Received r : receiver.at("/w" + i)) {
                requests++;
                distinct.add(r.headers().get("webhook-id"));
            }
        }
        return requests - distinct.size();
    }

    /** The first arrival at any endpoint after {@code instant}, or null. */
    Instant firstArrivalAfter(Instant instant) {
        Instant first = null;
        for (int i = 0; i < endpoints; i++) {
            for (Receiver.Received r : receiver.at("/w" + i)) {
                if (r.at().isAfter(instant) && (first == null || r.at().isBefore(first))) {
                    first = r.at();
                }
            }
        }
        return first;
    }

    /** Every request at the endpoints. */
    List<Receiver.Received> requests() {
        List<Receiver.Received> all = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            all.addAll(receiver.at("/w" + i));
        }
        return all;
    }

    private Map<String, Set<Integer>> seen() {
        Map<String, Set<Integer>> seen = new HashMap<>();
        for (int i = 0; i < endpoints; i++) {
            Set<Integer> ids = new HashSet<>();
            for (Receiver.Received r : receiver.at("/w" + i)) {
                ids.add(notificationId(r));
            }
            seen.put("/w" + i, ids);
        }
        return seen;
    }

    static int notificationId(Receiver.Received request) {
        try {
            return JSON.readTree(request.body()).get("id").asInt();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + request.bodyText(), e);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.interrupt();
        }
    }
}
