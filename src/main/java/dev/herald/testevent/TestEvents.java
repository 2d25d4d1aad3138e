package dev.herald.testevent;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.herald.api.Ids;
import dev.herald.api.InvalidInput;
import dev.herald.api.NotFound;
import dev.herald.delivery.AttemptResult;
import dev.herald.delivery.AttemptSettings;
import dev.herald.delivery.CustomHeader;
import dev.herald.delivery.DeliveryConfig;
import dev.herald.delivery.WebhookSender;
import dev.herald.dispatch.DispatchConfig;
import dev.herald.dispatch.OutgoingRequests;
import dev.herald.dispatch.StoredEndpoint;
import dev.herald.webhook.SealedAccess;
import dev.herald.webhook.UnreadableSecret;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Test events: one signed POST of a sample notification to one webhook, as a delivery's attempt is made (the same
 * request, built by {@link OutgoingRequests}, the same sender, address checks and signatures) plus
 * {@code webhook-test: true}. It holds one of the endpoint's
 * in-flight slots and one start of its rate window, in the database like a claim ({@code herald_start_test}), so
 * the caps hold across replicas; the slot is given back when the attempt ends, or frees itself when its lease
 * passes (this replica died). Nothing is written to the delivery history or the endpoint's health.
 */
@ApplicationScoped
public class TestEvents {

    /* $1 webhook, $2 application, $3 global in-flight cap, $4 global starts per window, $5 window ms, $6 lease ms */
    private static final String START = "SELECT refusal, webhook_url, secret, previous_secret,"
            + " legacy_signature_header, headers, lease, timeout_ms, proxy, client_certificate, oauth2"
            + " FROM herald_start_test($1, $2, $3, $4, $5, $6)";
    /* $1 webhook, $2 the lease its test started with: a later test's slot is not this one's to free */
    private static final String END = "SELECT herald_end_test($1, $2)";
    private static final Logger LOG = Logger.getLogger(TestEvents.class);
    private static final CustomHeader TEST_HEADER = new CustomHeader("webhook-test", "true");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A test's slot outlives its attempt's deadline by this much, so it never ends while the attempt runs. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(5);

    @Inject
    Pool pool;

    @Inject
    DeliveryConfig delivery;

    @Inject
    DispatchConfig dispatch;

    @Inject
    OutgoingRequests requests;

    @Inject
    WebhookSender sender;

    public Uni<TestDelivery> send(int applicationId, String rawWebhookId) {
        long webhookId = Ids.parse("webhookId", rawWebhookId);
        Duration window = dispatch.rateWindow().plus(dispatch.rateWindowGuard());
        return pool.preparedQuery(START)
                .execute(Tuple.from(new Object[] { webhookId, applicationId, delivery.maxInFlightPerEndpoint(),
                        delivery.maxPerMinutePerEndpoint(), window.toMillis(),
                        longestTimeout().plus(LEASE_MARGIN).toMillis() }))
                .map(rows -> started(rows, webhookId))
                .chain(webhook -> attempt(webhookId, webhook)
                        .eventually(() -> end(webhookId, webhook.getOffsetDateTime("lease"))))
                .map(TestDelivery::of);
    }

    /**
     * Frees the test's slot. When that fails the attempt's answer still stands (it was sent): the slot frees itself
     * when its lease passes.
     */
    private Uni<Void> end(long webhookId, OffsetDateTime lease) {
        return pool.preparedQuery(END).execute(Tuple.of(webhookId, lease)).replaceWithVoid()
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("The test event slot of webhook %d was not freed (%s); it frees itself at %s",
                            webhookId, failure.toString(), lease);
                    return Uni.createFrom().voidItem();
                });
    }

    /** The longest a test's attempt may take: the deployment's timeout, or the longest a webhook may have. */
    private Duration longestTimeout() {
        return delivery.timeout().compareTo(AttemptSettings.MAX_OWN_TIMEOUT) >= 0 ? delivery.timeout()
                : AttemptSettings.MAX_OWN_TIMEOUT;
    }

    /** The webhook to test, once its slot is held; or why not. */
    private static Row started(Iterable<Row> rows, long webhookId) {
        var found = rows.iterator();
        if (!found.hasNext()) {
            throw new NotFound("webhookId", "webhook", webhookId);
        }
        Row webhook = found.next();
        String refusal = webhook.getString("refusal");
        if (refusal != null) {
            throw new InvalidInput("webhookId", "no test event can start now: " + refusal);
        }
        return webhook;
    }

    private Uni<AttemptResult> attempt(long webhookId, Row webhook) {
        Integer ownTimeout = webhook.getInteger("timeout_ms");
        Duration timeout = ownTimeout == null ? delivery.timeout() : Duration.ofMillis(ownTimeout);
        StoredEndpoint endpoint = new StoredEndpoint(webhookId, webhook.getString("webhook_url"),
                webhook.getString("secret"), webhook.getString("previous_secret"),
                webhook.getString("legacy_signature_header"), webhook.getString("headers"), timeout,
                SealedAccess.of(webhook));
        long now = System.nanoTime();
        try {
            return sender.send(requests.prepare(endpoint, "msg_test_" + Long.toUnsignedString(RANDOM.nextLong(), 36),
                    SampleNotification.at(Instant.now()), List.of(TEST_HEADER), null,
                    now + timeout.toNanos(), now + LEASE_MARGIN.toNanos()));
        } catch (UnreadableSecret unreadable) {
            return Uni.createFrom().item(AttemptResult.unsendable(unreadable.getMessage()));
        }
    }
}
