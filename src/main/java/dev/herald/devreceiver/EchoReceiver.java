package dev.herald.devreceiver;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import dev.herald.delivery.Signatures;
import dev.herald.webhook.SecretCipher;
import dev.herald.webhook.SecretCipher.Material;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A receiver to try Herald against in dev mode: {@code POST /dev/echo} answers 204 and keeps the request, checking
 * its Standard Webhooks signature with the secrets of the webhooks registered at this URL; {@code GET /dev/echo}
 * lists what it kept, newest first (the console shows it). Never served in prod.
 */
@Singleton
public class EchoReceiver {

    static final String PATH = "/dev/echo";

    private static final int MAX_BODY_BYTES = 1024 * 1024;

    @Inject
    DevReceiverConfig config;

    @Inject
    Pool pool;

    @Inject
    SecretCipher cipher;

    private final Deque<EchoedRequest> kept = new ArrayDeque<>();

    void routes(@Observes Router router) {
        if (!config.enabled()) {
            return;
        }
        router.post(PATH).handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES)).handler(this::take);
        router.get(PATH).handler(context -> context.response()
                .putHeader("Content-Type", "application/json")
                .end(Json.encode(list())));
    }

    private void take(RoutingContext context) {
        byte[] body = context.body().buffer() == null ? new byte[0] : context.body().buffer().getBytes();
        String messageId = context.request().getHeader("webhook-id");
        String timestamp = context.request().getHeader("webhook-timestamp");
        String signature = context.request().getHeader("webhook-signature");
        // every webhook at this path, whatever host or port it was registered with
        pool.preparedQuery("SELECT id, secret, previous_secret FROM webhook WHERE webhook_url LIKE $1")
                .execute(Tuple.of("%" + PATH + "%"))
                .map(rows -> {
                    boolean valid = false;
                    for (Row row : rows) {
                        valid |= verifies(row, messageId, timestamp, signature, body);
                    }
                    return valid;
                })
                .onFailure().recoverWithItem(false)
                .subscribe().with(valid -> {
                    keep(new EchoedRequest(Instant.now().toString(), messageId, timestamp, valid,
                            new String(body, StandardCharsets.UTF_8)));
                    context.response().setStatusCode(204).end();
                });
    }

    private boolean verifies(Row row, String messageId, String timestamp, String signature, byte[] body) {
        if (messageId == null || timestamp == null || signature == null) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        long id = row.getLong("id");
        for (String stored : new String[] { row.getString("secret"), row.getString("previous_secret") }) {
            if (stored == null) {
                continue;
            }
            String secret = cipher.decrypt(id, Material.SIGNING, stored);
            byte[] key = Base64.getDecoder().decode(secret.substring(secret.indexOf('_') + 1));
            String expected = Signatures.standard(key, messageId, seconds, body);
            for (String offered : signature.split(" ")) {
                if (offered.equals(expected)) {
                    return true;
                }
            }
        }
        return false;
    }

    private synchronized void keep(EchoedRequest request) {
        kept.addFirst(request);
        while (kept.size() > config.keep()) {
            kept.removeLast();
        }
    }

    synchronized List<EchoedRequest> list() {
        return new ArrayList<>(kept);
    }
}
