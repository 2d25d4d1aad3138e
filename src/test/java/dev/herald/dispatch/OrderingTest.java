package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Database;
import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.LeavesNoDeliveries;
import dev.herald.testing.Receiver;
import dev.herald.testing.Receiver.Received;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * A BY_NOTIFICATION webhook takes the deliveries of one notification one at a time, in the order of their events: a
 * later status waits while the earlier one is retried, and goes the moment it ends; other notifications, and an
 * unordered webhook on the same provider, are not held up. Switching to UNORDERED releases what waits.
 */
@QuarkusTest
class OrderingTest extends WithReceiver implements LeavesNoDeliveries {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    Database database;

    @Test
    void aLaterStatusWaitsForTheEarlierOneToEndAndNothingElseWaits() throws Exception {
        String ordered = register("/ordered", "BY_NOTIFICATION");
        register("/plain", "UNORDERED");
        // notification 7's first status fails once; its retry comes 1 s later (the webhook's own schedule)
        AtomicBoolean failedOnce = new AtomicBoolean();
        receiver.answerBy("/ordered", body -> text(body).contains("\"id\":7,") && text(body).contains(
                "\"deliveryStatus\":1") && failedOnce.compareAndSet(false, true)
                        ? new Receiver.Behaviour(500, Duration.ZERO) : null);

        Events.post(key, "[" + String.join(",", status(7, 1), status(7, 2), status(8, 1), status(8, 2),
                status(7, 3)) + "]");

        List<Received> got = receiver.await("/ordered", r -> r.size() == 6, WAIT);
        List<String> sequence = got.stream().map(OrderingTest::label).toList();
        // 8 went its own way, in its order, while 7 waited for its retry
        assertTrue(sequence.indexOf("8/1") < sequence.indexOf("8/2"), sequence.toString());
        assertTrue(sequence.lastIndexOf("7/1") > sequence.indexOf("8/2"), sequence.toString());
        assertEquals(List.of("7/1", "7/1", "7/2", "7/3"), sequence.stream().filter(l -> l.startsWith("7/")).toList());
        Received retried = got.get(sequence.lastIndexOf("7/1"));
        Received second = got.get(sequence.indexOf("7/2"));
        assertTrue(Duration.between(got.get(sequence.indexOf("7/1")).at(), retried.at()).toMillis() >= 900,
                "the retry waited its schedule");
        assertTrue(Duration.between(retried.at(), second.at()).toMillis() < 900,
                "the next status went the moment the earlier one ended, not at a later check");

        // the unordered webhook had 7/2 long before
        List<Received> plain = receiver.await("/plain", r -> r.size() == 5, WAIT);
        Received plainSecond = plain.stream().filter(r -> label(r).equals("7/2")).findFirst().orElseThrow();
        assertTrue(plainSecond.at().isBefore(retried.at()), "an unordered webhook is not held up");
        database.awaitCount("delivery WHERE webhook_id = " + ordered, 0, WAIT);
    }

    @Test
    void switchingToUnorderedReleasesWhatWaits() throws Exception {
        String ordered = register("/held", "BY_NOTIFICATION");
        receiver.answer("/held", new Receiver.Behaviour(500, Duration.ZERO));
        Events.post(key, "[" + status(9, 1) + "," + status(9, 2) + "]");
        receiver.await("/held", r -> r.size() == 1, WAIT);
        database.awaitCount("delivery WHERE ordering_key = '9' AND webhook_id = " + ordered, 2, WAIT);
        receiver.answer("/held", new Receiver.Behaviour(200, Duration.ZERO));

        JsonPath unordered = GraphQL.as(key, """
                mutation { updateWebhook(updateWebhookInput: {id: "%s", ordering: UNORDERED}) { ordering } }"""
                .formatted(ordered));
        assertEquals("UNORDERED", unordered.getString("data.updateWebhook.ordering"), unordered.prettify());
        // 9/2 goes at once, while 9/1 still waits for its retry (60 s away)
        List<Received> got = receiver.await("/held", r -> r.stream().anyMatch(x -> label(x).equals("9/2")), WAIT);
        assertEquals(List.of("9/1", "9/2"), got.stream().map(OrderingTest::label).toList());
    }

    @Test
    void aReplayedStatusWaitsForTheOneInFlightAndALongIdIsOrderedToo() throws Exception {
        String ordered = register("/replayed", "BY_NOTIFICATION");
        String longId = "\"" + "n".repeat(5_000) + "\"";
        // the first status fails for good (its webhook has two attempts, 1 s apart), the second is delivered
        receiver.answerBy("/replayed", body -> text(body).contains("\"deliveryStatus\":1")
                ? new Receiver.Behaviour(500, Duration.ZERO) : null);
        Events.post(key, "[" + status(5, 1) + "," + status(5, 2) + "," + statusOf(longId, 1) + ","
                + statusOf(longId, 2) + "]");
        database.awaitCount("delivery_history WHERE webhook_id = " + ordered, 4, WAIT);
        List<String> first = receiver.at("/replayed").stream().map(OrderingTest::label).toList();
        assertEquals(List.of("5/1", "5/1", "5/2"), first.stream().filter(l -> l.startsWith("5/")).toList(), first.toString());
        assertEquals(3, first.stream().filter(l -> l.startsWith("long/")).count(), first.toString());
        assertTrue(first.lastIndexOf("long/1") < first.indexOf("long/2"), "a 5,000-character id keeps order too");

        // a third status is held slow at the receiver; the replayed first one waits until it has ended
        receiver.answerBy("/replayed", body -> text(body).contains("\"deliveryStatus\":3")
                ? new Receiver.Behaviour(200, Duration.ofSeconds(1)) : null);
        Events.post(key, status(5, 3));
        receiver.await("/replayed", r -> r.stream().anyMatch(x -> label(x).equals("5/3")), WAIT);
        JsonPath replayed = GraphQL.as(key, """
                mutation { replayFailed(webhookId: "%s") }""".formatted(ordered));
        assertEquals(2, replayed.getInt("data.replayFailed"), replayed.prettify());
        // both FAILED deliveries go again, 5/1 and long/1, and now succeed
        List<Received> got = receiver.await("/replayed", r -> r.size() == 9, WAIT);
        List<String> labels = got.stream().map(OrderingTest::label).toList();
        Received third = got.get(labels.indexOf("5/3"));
        Received again = got.get(labels.lastIndexOf("5/1"));
        assertTrue(labels.lastIndexOf("5/1") > labels.indexOf("5/3"), labels.toString());
        assertTrue(Duration.between(third.at(), again.at()).toMillis() >= 900,
                "the replay went only after the status in flight had ended");
    }

    private String register(String path, String ordering) {
        JsonPath created = GraphQL.as(key, """
                mutation($input: CreateWebhookInput!) { webhook(createWebhookInput: $input) { id ordering } }""",
                Map.of("input", Map.of("providerId", provider, "webhookUrl", receiver.url(path), "ordering", ordering,
                        "retrySchedule", List.of(path.equals("/held") ? "60s" : "1s"))));
        assertNull(created.get("errors"), created.prettify());
        assertEquals(ordering, created.getString("data.webhook.ordering"));
        return created.getString("data.webhook.id");
    }

    private String status(int notification, int deliveryStatus) {
        return "{\"id\":%d,\"providerId\":%d,\"channelType\":1,\"deliveryStatus\":%d}".formatted(notification,
                provider, deliveryStatus);
    }

    private String statusOf(String notification, int deliveryStatus) {
        return "{\"id\":%s,\"providerId\":%d,\"channelType\":1,\"deliveryStatus\":%d}".formatted(notification,
                provider, deliveryStatus);
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** notification/status of a delivery. */
    private static String label(Received received) {
        JsonPath body = JsonPath.from(received.bodyText());
        String id = body.getString("id");
        return (id.length() > 10 ? "long" : id) + "/" + body.getInt("deliveryStatus");
    }
}
