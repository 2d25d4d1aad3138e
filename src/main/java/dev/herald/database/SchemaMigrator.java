package dev.herald.database;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Brings the schema up to date at startup, over the same reactive datasource Herald uses (no second URL, no
 * JDBC driver): first the versioned migrations (tables and data, each applied once), then the function files (each
 * SQL function's one definition, applied again whenever its file changed). Each script runs in its own
 * transaction; a session-level advisory lock lets several replicas start at once.
 *
 * <p>Function files are applied only by a build at the database's schema version: a build that knows fewer
 * migrations than were applied (an old replica restarting during an upgrade) stops before touching them, so it
 * never puts its older bodies back. A change to a function therefore ships with a new migration, even one that only
 * names the functions it changes.
 */
@Singleton
public class SchemaMigrator {

    /** Every script in order. {@code MigrationListTest} fails when a file under db/migration is missing here. */
    static final List<String> SCRIPTS = List.of(
            "V1__tenancy_and_webhooks.sql",
            "V2__outbox_and_deliveries.sql",
            "V3__signing_and_endpoint_pause.sql",
            "V4__hot_path_without_foreign_keys.sql",
            "V5__fault_tolerant_dispatch.sql",
            "V6__retention.sql",
            "V7__idempotent_ingest.sql",
            "V8__webhook_settings.sql",
            "V9__webhook_health_caps_and_tests.sql",
            "V10__trace_context.sql",
            "V11__health_counts_what_receivers_did.sql",
            "V12__console_queries.sql",
            "V13__ring_add_in_place.sql",
            "V14__complete_by_primary_key.sql",
            "V15__wake_only_endpoints_with_work.sql",
            "V16__complete_without_pairwise_joins.sql",
            "V17__drop_unused_ring_sum.sql",
            "V18__tenant_isolation.sql",
            "V19__backlog_by_minute.sql",
            "V20__claims_leave_delivery_indexes_alone.sql",
            "V21__health_from_the_attempt_log.sql",
            "V22__retries_and_timeout_per_webhook.sql",
            "V23__ingest_in_groups.sql",
            "V24__receiver_access_per_webhook.sql",
            "V25__portal_tokens.sql",
            "V26__no_bridge_on_a_new_database.sql",
            "V27__operational_events.sql",
            "V28__event_type_catalogue.sql",
            "V29__order_per_notification.sql",
            "V30__portal_token_quota.sql",
            "V31__events_written_once.sql",
            "V32__receivers_charged_once_shared.sql",
            "V33__health_rows_written_small.sql",
            "V34__endpoint_rows_written_small.sql",
            "V35__hot_table_listing_by_webhook_dropped.sql",
            "V36__parked_endpoints_not_indexed.sql",
            "V37__one_delivery_log.sql",
            "V38__health_row_read_once.sql",
            "V39__fan_out_reads_pending_events_once.sql",
            "V40__hot_table_found_by_id_through_its_key_only.sql");

    /**
     * The function files, in the order they are applied (a SQL-language function is checked against the functions
     * that exist when it is made). {@code MigrationListTest} fails when a file under db/functions is missing here.
     */
    static final List<String> FUNCTION_FILES = List.of(
            "common.sql",
            "operational.sql",
            "wake.sql",
            "receivers.sql",
            "claim.sql",
            "health.sql",
            "fan_out.sql",
            "quota.sql",
            "ingest.sql",
            "completion.sql",
            "leases.sql",
            "replay.sql",
            "test_events.sql",
            "partitions.sql",
            "deletes.sql");

    /** Runs before every other startup observer: they may all touch the schema. */
    public static final int STARTUP_PRIORITY = 10;

    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class);
    private static final long ADVISORY_LOCK_KEY = 0x4865_7261_6c64L; // "Herald"

    @Inject
    Pool pool;

    void onStart(@Observes @Priority(STARTUP_PRIORITY) StartupEvent event) {
        migrate().await().atMost(Duration.ofMinutes(5));
    }

    public Uni<Void> migrate() {
        return migrate(SCRIPTS, FUNCTION_FILES);
    }

    /** Migrates as a build with these scripts and function files would (tests play older builds with it). */
    Uni<Void> migrate(List<String> scripts, List<String> functionFiles) {
        List<Migration> migrations = scripts.stream().map(Migration::load).toList();
        List<FunctionFile> functions = functionFiles.stream().map(FunctionFile::load).toList();
        int buildVersion = migrations.get(migrations.size() - 1).version();
        return pool.withConnection(connection -> connection.query("SELECT pg_advisory_lock(" + ADVISORY_LOCK_KEY + ")")
                .execute()
                .chain(() -> applyPending(connection, migrations))
                .chain(migrated -> applyChangedFunctions(connection, functions, buildVersion)
                        .invoke(applied -> report(buildVersion, migrated, applied)))
                .replaceWithVoid()
                .eventually(() -> connection.query("SELECT pg_advisory_unlock(" + ADVISORY_LOCK_KEY + ")").execute()));
    }

    /** One line when anything was applied (each step is logged at DEBUG): dev mode's start stays short. */
    private static void report(int buildVersion, int migrations, int functionFiles) {
        if (migrations + functionFiles > 0) {
            LOG.infof("Database schema at V%d: %d migration%s and %d SQL function file%s applied", buildVersion,
                    migrations, migrations == 1 ? "" : "s", functionFiles, functionFiles == 1 ? "" : "s");
        }
    }

    /**
     * Each function file whose checksum differs from the one applied last, in its own transaction; answers how
     * many.
     */
    private Uni<Integer> applyChangedFunctions(SqlConnection connection, List<FunctionFile> files, int buildVersion) {
        return connection.query("""
                DO $$ BEGIN
                    IF to_regclass('herald_function_file') IS NULL THEN
                        CREATE TABLE herald_function_file (
                            name           text PRIMARY KEY,
                            checksum       text        NOT NULL,
                            schema_version integer     NOT NULL,
                            applied_on     timestamptz NOT NULL DEFAULT now());
                    END IF;
                END $$""").execute()
                .chain(() -> connection.query("SELECT name, checksum FROM herald_function_file").execute())
                .map(rows -> {
                    Map<String, String> applied = new HashMap<>();
                    for (Row row : rows) {
                        applied.put(row.getString("name"), row.getString("checksum"));
                    }
                    return applied;
                })
                .chain(applied -> Multi.createFrom().iterable(files)
                        .filter(file -> !file.checksum().equals(applied.get(file.name())))
                        .onItem().transformToUniAndConcatenate(file -> applyFunctions(connection, file, buildVersion))
                        .collect().asList())
                .map(List::size);
    }

    private Uni<String> applyFunctions(SqlConnection connection, FunctionFile file, int buildVersion) {
        LOG.debugf("Applying SQL functions %s%s", FunctionFile.LOCATION, file.name());
        return connection.begin().chain(tx -> connection.query(file.sql()).execute()
                .chain(() -> connection.preparedQuery("""
                        INSERT INTO herald_function_file (name, checksum, schema_version) VALUES ($1, $2, $3)
                            ON CONFLICT (name) DO UPDATE
                           SET checksum = excluded.checksum, schema_version = excluded.schema_version,
                               applied_on = now()""")
                        .execute(Tuple.of(file.name(), file.checksum(), buildVersion)))
                .chain(tx::commit)
                .onFailure().call(tx::rollback))
                .replaceWith(file.name());
    }

    /** Every migration not applied yet, each in its own transaction; answers how many. */
    private Uni<Integer> applyPending(SqlConnection connection, List<Migration> migrations) {
        // not CREATE TABLE IF NOT EXISTS: its notice on every start is logged as a WARN by the client
        return connection.query("""
                DO $$ BEGIN
                    IF to_regclass('herald_schema_history') IS NULL THEN
                        CREATE TABLE herald_schema_history (
                            version     integer PRIMARY KEY,
                            description text        NOT NULL,
                            checksum    text        NOT NULL,
                            applied_on  timestamptz NOT NULL DEFAULT now());
                    END IF;
                END $$""").execute()
                .chain(() -> connection.query("SELECT version, checksum FROM herald_schema_history").execute())
                .map(rows -> {
                    Map<Integer, String> applied = new HashMap<>();
                    for (Row row : rows) {
                        applied.put(row.getInteger("version"), row.getString("checksum"));
                    }
                    return applied;
                })
                .invoke(applied -> refuseNewerSchema(applied, migrations))
                .chain(applied -> Multi.createFrom().iterable(migrations)
                        .onItem().transformToUniAndConcatenate(m -> applyIfPending(connection, m, applied))
                        .filter(Boolean::booleanValue)
                        .collect().asList())
                .map(List::size);
    }

    /**
     * A database migrated by a newer Herald (the deploy was rolled back) has tables and functions this build does
     * not know: starting would corrupt it or fail in odd places. Stop, saying what to do.
     */
    static void refuseNewerSchema(Map<Integer, String> applied, List<Migration> known) {
        int newestKnown = known.get(known.size() - 1).version();
        int newestApplied = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        if (newestApplied > newestKnown) {
            throw new IllegalStateException("The database schema is at version " + newestApplied + ", newer than this"
                    + " build of Herald knows (" + newestKnown + "): a newer Herald migrated it. Run that version or a"
                    + " newer one; to go back to this one, restore the backup taken before the upgrade.");
        }
    }

    /** Applies the migration unless it was; answers whether it did. */
    private Uni<Boolean> applyIfPending(SqlConnection connection, Migration migration, Map<Integer, String> applied) {
        String checksum = applied.get(migration.version());
        if (checksum != null) {
            if (!checksum.equals(migration.checksum())) {
                return Uni.createFrom().failure(new IllegalStateException("Migration V" + migration.version()
                        + " was changed after it was applied; add a new migration instead"));
            }
            return Uni.createFrom().item(false);
        }
        LOG.debugf("Applying schema migration V%d (%s)", migration.version(), migration.description());
        return connection.begin().chain(tx -> connection.query(migration.sql()).execute()
                .chain(() -> connection.preparedQuery(
                        "INSERT INTO herald_schema_history (version, description, checksum) VALUES ($1, $2, $3)")
                        .execute(Tuple.of(migration.version(), migration.description(), migration.checksum())))
                .chain(tx::commit)
                .onFailure().call(tx::rollback))
                .replaceWith(true);
    }
}
