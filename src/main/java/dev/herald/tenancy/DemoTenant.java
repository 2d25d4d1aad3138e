package dev.herald.tenancy;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.herald.database.SchemaMigrator;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * In dev mode (and tests) creates the application of the OsmoX documentation: API key {@code OsmoX-test-key}
 * owning provider 10, so its webhook curl works as written. Never on in prod unless configured.
 */
@Singleton
public class DemoTenant {

    private static final Logger LOG = Logger.getLogger(DemoTenant.class);

    @Inject
    TenancyConfig config;

    @Inject
    Pool pool;

    void onStart(@Observes @Priority(SchemaMigrator.STARTUP_PRIORITY + 1) StartupEvent event) {
        if (config.demoTenant().enabled()) {
            ensureExists().await().atMost(Duration.ofMinutes(1));
        }
    }

    Uni<Void> ensureExists() {
        TenancyConfig.DemoTenant demo = config.demoTenant();
        return pool.withTransaction(connection -> connection.preparedQuery("""
                WITH app AS (
                    INSERT INTO application (name)
                    SELECT 'sampleOsmoXApp' WHERE NOT EXISTS (SELECT 1 FROM api_key WHERE key_hash = $1)
                    RETURNING id),
                key AS (
                    INSERT INTO api_key (application_id, key_hash) SELECT id, $1 FROM app)
                INSERT INTO provider (id, application_id, name, channel_type)
                SELECT $2, id, 'Demo SMTP provider', 1 FROM app
                ON CONFLICT (id) DO NOTHING
                RETURNING id""")
                .execute(Tuple.of(ApiKeys.hash(demo.apiKey()), demo.providerId()))
                .invoke(rows -> {
                    if (rows.rowCount() > 0) {
                        LOG.infof("Demo application created: API key %s owns provider %d", demo.apiKey(), demo.providerId());
                    }
                })
                // the explicit id must not be handed out again by the identity sequence
                .chain(() -> connection.query("SELECT setval(pg_get_serial_sequence('provider', 'id'),"
                        + " (SELECT max(id) FROM provider))").execute())
                .replaceWithVoid());
    }
}
