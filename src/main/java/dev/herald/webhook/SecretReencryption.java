package dev.herald.webhook;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.herald.webhook.SecretCipher.Material;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Moves every webhook's secret material (signing secret, previous secret, headers, proxy, client certificate, OAuth2
 * client) to the newest key of the ring, bound to its row: in batches of {@link #BATCH} webhooks by id, each a short
 * transaction holding only those rows (never an endpoint row, so claims and completions go on). A value this replica
 * cannot open is left as it is and counted; its webhook's deliveries say why (Failure modes). Once it reports none
 * unreadable, the older keys may leave the ring.
 */
@ApplicationScoped
class SecretReencryption {

    private static final Logger LOG = Logger.getLogger(SecretReencryption.class);
    static final int BATCH = 200;

    private static final String BATCH_AFTER = """
            SELECT id, secret, previous_secret, headers, proxy, client_certificate, oauth2 FROM webhook
             WHERE id > $1 ORDER BY id LIMIT $2
               FOR NO KEY UPDATE""";
    private static final String REWRITE = """
            UPDATE webhook SET secret = $2, previous_secret = $3, headers = $4, proxy = $5, client_certificate = $6,
                               oauth2 = $7
             WHERE id = $1""";

    /** What one run did: values rewritten, values left because they do not open here. */
    record Report(int reencrypted, int unreadable) {

        Report plus(Report other) {
            return new Report(reencrypted + other.reencrypted, unreadable + other.unreadable);
        }
    }

    @Inject
    Pool pool;

    @Inject
    SecretCipher cipher;

    Uni<Report> run() {
        return from(0, new Report(0, 0));
    }

    private Uni<Report> from(long afterId, Report done) {
        return pool.withTransaction(connection -> connection.preparedQuery(BATCH_AFTER)
                .execute(Tuple.of(afterId, BATCH))
                .chain(rows -> {
                    List<Tuple> rewrites = new ArrayList<>();
                    long last = afterId;
                    int reencrypted = 0;
                    int unreadable = 0;
                    for (Row row : rows) {
                        last = row.getLong("id");
                        Rewrite rewrite = new Rewrite(last);
                        String secret = rewrite.value(row.getString("secret"), Material.SIGNING);
                        String previous = rewrite.value(row.getString("previous_secret"), Material.SIGNING);
                        String headers = rewrite.value(row.getString("headers"), Material.HEADERS);
                        String proxy = rewrite.value(row.getString("proxy"), Material.PROXY);
                        String certificate = rewrite.value(row.getString("client_certificate"),
                                Material.CLIENT_CERTIFICATE);
                        String oauth2 = rewrite.value(row.getString("oauth2"), Material.OAUTH2);
                        reencrypted += rewrite.reencrypted;
                        unreadable += rewrite.unreadable;
                        if (rewrite.reencrypted > 0) {
                            rewrites.add(Tuple.from(new Object[] { last, secret, previous, headers, proxy,
                                    certificate, oauth2 }));
                        }
                    }
                    Report batch = new Report(reencrypted, unreadable);
                    Batch result = new Batch(last, rows.size(), batch);
                    return rewrites.isEmpty() ? Uni.createFrom().item(result)
                            : connection.preparedQuery(REWRITE).executeBatch(rewrites).replaceWith(result);
                }))
                .chain(batch -> batch.rows() < BATCH ? Uni.createFrom().item(done.plus(batch.report()))
                        : from(batch.lastId(), done.plus(batch.report())));
    }

    private record Batch(long lastId, int rows, Report report) {
    }

    /** One webhook's values, each rewritten under the newest key when it is not already. */
    private final class Rewrite {

        private final long webhookId;
        int reencrypted;
        int unreadable;

        Rewrite(long webhookId) {
            this.webhookId = webhookId;
        }

        String value(String stored, Material material) {
            if (cipher.isCurrent(stored)) {
                return stored;
            }
            try {
                String sealed = cipher.encrypt(webhookId, material,
                        cipher.decryptUncached(webhookId, material, stored));
                reencrypted++;
                return sealed;
            } catch (UnreadableSecret cannot) {
                unreadable++;
                LOG.warnf("Webhook %d: its %s stays as it is: %s", webhookId, material.name().toLowerCase(),
                        cannot.getMessage());
                return stored;
            }
        }
    }
}
