package dev.herald.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The plans PostgreSQL made for statements run in one transaction that is rolled back, as the plan tests read them:
 * whatever the statements write is never seen by the running dispatcher. Each plan comes from auto_explain, with its
 * actual rows (no timings) and the statements of functions too, sent to the connection as a notice.
 */
public final class RolledBackPlans {

    private RolledBackPlans() {
    }

    /** What the statements answered, and every plan sent while they ran. */
    public record Outcome<T>(T value, List<String> plans) {

        /** The first plan whose text (its query text included) contains {@code marker}. */
        public String planContaining(String marker) {
            return plans.stream().filter(plan -> plan.contains(marker)).findFirst()
                    .orElseThrow(() -> new AssertionError("no plan with \"" + marker + "\" among " + plans.size()));
        }
    }

    /** Runs {@code statements} on one connection, in a transaction rolled back after them. */
    public static <T> Outcome<T> capture(Pool pool, Function<SqlConnection, Uni<T>> statements) {
        List<String> plans = new CopyOnWriteArrayList<>();
        T value = pool.getConnection().flatMap(connection -> {
            PgConnection.cast(connection).noticeHandler(notice -> plans.add(notice.getMessage()));
            return connection.begin().flatMap(transaction -> statements.apply(connection).call(transaction::rollback))
                    .eventually(connection::close);
        }).await().atMost(Duration.ofSeconds(60));
        return new Outcome<>(value, plans);
    }

    /**
     * From here to the end of the transaction, every statement's plan is sent as a notice, those of statements in
     * functions too; {@code planCacheMode} is PostgreSQL's setting: {@code auto}, {@code force_generic_plan} (as a
     * pooled connection's plans become after five calls) or {@code force_custom_plan}.
     */
    public static Uni<Void> explainEach(SqlConnection connection, String planCacheMode) {
        return run(connection, "LOAD 'auto_explain'")
                .chain(() -> run(connection, "SET LOCAL plan_cache_mode = " + planCacheMode + ";"
                        + " SET LOCAL auto_explain.log_min_duration = 0;"
                        + " SET LOCAL auto_explain.log_analyze = on; SET LOCAL auto_explain.log_timing = off;"
                        + " SET LOCAL auto_explain.log_nested_statements = on;"
                        + " SET LOCAL auto_explain.log_level = notice"));
    }

    public static Uni<Void> run(SqlConnection connection, String sql) {
        return connection.query(sql).execute().replaceWithVoid();
    }
}
