package dev.herald.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.testing.FastFailures;
import dev.herald.testing.Slow;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** The backlog the gauges record minute by minute for the operator's chart: the last reading of a minute, an hour. */
@Slow
@QuarkusTest
@TestProfile(FastFailures.class)
class BacklogMinutesTest {

    @Inject
    Pool pool;

    @Test
    void aMinuteKeepsItsLastReadingAndMinutesOlderThanAnHourGo() {
        // minutes long past, in a transaction rolled back: the gauges' own rows (this minute's) are not touched
        List<String> kept = pool.withConnection(connection -> connection.query("BEGIN").execute()
                .chain(() -> connection.query("INSERT INTO backlog_minute (minute, backlog)"
                        + " VALUES (1000, 1), (1040, 2), (1041, 3)").execute())
                .chain(() -> connection.preparedQuery(DatabaseGauges.RECORD).execute(Tuple.of(1100L, 7L)))
                .chain(() -> connection.preparedQuery(DatabaseGauges.RECORD).execute(Tuple.of(1100L, 9L)))
                .chain(() -> connection.query("SELECT minute, backlog FROM backlog_minute WHERE minute < 2000"
                        + " ORDER BY minute").execute())
                .map(rows -> {
                    List<String> found = new ArrayList<>();
                    rows.forEach(row -> found.add(row.getLong("minute") + "=" + row.getLong("backlog")));
                    return found;
                })
                .call(() -> connection.query("ROLLBACK").execute()))
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(List.of("1041=3", "1100=9"), kept, "59 minutes before the one recorded are kept; the last"
                + " reading of a minute stays");
    }
}
