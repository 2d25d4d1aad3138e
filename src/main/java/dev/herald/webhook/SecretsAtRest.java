package dev.herald.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.runtime.StartupEvent;
import dev.herald.database.SchemaMigrator;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** Encrypts, once, the signing secrets that were stored before secrets were encrypted at rest. */
@Singleton
public class SecretsAtRest {

    @Inject
    Pool pool;

    @Inject
    SecretCipher cipher;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 2) StartupEvent event) {
        encryptPlaintextSecrets().await().atMost(Duration.ofMinutes(1));
    }

    Uni<Void> encryptPlaintextSecrets() {
        return pool.withTransaction(connection -> connection
                .query("SELECT id, secret FROM webhook WHERE secret NOT LIKE '" + SecretCipher.PREFIX + "%' FOR UPDATE")
                .execute()
                .chain(rows -> {
                    List<Tuple> updates = new ArrayList<>();
                    for (Row row : rows) {
                        long id = row.getLong("id");
                        updates.add(Tuple.of(cipher.encrypt(id, SecretCipher.Material.SIGNING, row.getString("secret")),
                                id));
                    }
                    return updates.isEmpty() ? Uni.createFrom().voidItem()
                            : connection.preparedQuery("UPDATE webhook SET secret = $1 WHERE id = $2")
                                    .executeBatch(updates).replaceWithVoid();
                }));
    }
}
