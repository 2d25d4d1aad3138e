package dev.herald.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.herald.testing.Events;
import dev.herald.testing.GraphQL;
import dev.herald.testing.WithReceiver;
import io.quarkus.test.junit.QuarkusTest;

/** Events in, HTTP POSTs out, against a real receiver on loopback. */
@QuarkusTest
class DeliveryPipelineTest extends WithReceiver {

    @Test
    void theReceiverGetsTheObjectByteForByteWithStableHeaders() throws Exception {
        GraphQL.newWebhook(key, provider, receiver.url("/fidelity"));
        // odd spacing, key order, unicode and escapes must survive untouched
        String notification = "{ \"providerId\" :" + provider + ",\"id\":51,  \"data\":{\"text\":\"Dear Lakshaya,\\n"
                + "ticket ABCDEF\",\"emoji\":\"\u00e9\u4e2d\ud83d\ude00\"},\"deliveryStatus\":5 , \"n\": 1.50e3}";
        List<Long> ids = Events.post(key, notification);
        assertEquals(1, ids.size());

        var got = receiver.await("/fidelity", r -> r.size() == 1, Duration.ofSeconds(10)).get(0);
        assertArrayEquals(notification.getBytes(StandardCharsets.UTF_8), got.body());
        assertEquals("application/json", got.headers().get("content-type"));
        assertTrue(got.headers().get("webhook-id").startsWith("msg_"), got.headers().get("webhook-id"));
        long timestamp = Long.parseLong(got.headers().get("webhook-timestamp"));
        assertTrue(Math.abs(timestamp - got.at().getEpochSecond()) <= 2, "webhook-timestamp is Unix seconds");
    }

    @Test
    void anArrayFansOutToEveryActiveWebhookOfItsProvider() throws Exception {
        GraphQL.newWebhook(key, provider, receiver.url("/a"));
        GraphQL.newWebhook(key, provider, receiver.url("/b"));
        String inactive = GraphQL.newWebhook(key, provider, receiver.url("/off"));
        GraphQL.as(key, "mutation { updateWebhook(updateWebhookInput: {id: \"%s\", status: 0}) { id } }"
                .formatted(inactive));
        String first = Events.notification(1, provider);
        String second = Events.notification(2, provider);
        List<Long> ids = Events.post(key, "[" + first + ",\n " + second + "]");
        assertEquals(2, ids.size());

        for (String path : List.of("/a", "/b")) {
            var got = receiver.await(path, r -> r.size() == 2, Duration.ofSeconds(10));
            Set<String> bodies = new HashSet<>();
            got.forEach(r -> bodies.add(r.bodyText()));
            assertEquals(Set.of(first, second), bodies);
        }
        // both events are fanned out by now: none made a delivery for the inactive webhook
        assertEquals(0, GraphQL.as(key, "{ deliveries(webhookId: \"%s\") { totalCount } }".formatted(inactive))
                .getInt("data.deliveries.totalCount"), "an inactive webhook gets nothing");
        assertEquals(0, receiver.at("/off").size());
    }
}
