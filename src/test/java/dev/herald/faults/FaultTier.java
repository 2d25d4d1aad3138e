package dev.herald.faults;

import org.junit.jupiter.api.BeforeEach;

/**
 * A test of the fault tier: one shared {@link Postgres}, emptied of every application (and so of every webhook,
 * event and delivery) before each test, so that no test inherits another's deliveries.
 */
public abstract class FaultTier {

    protected final Postgres database = Postgres.shared();

    @BeforeEach
    protected void startFromAnEmptyDatabase() {
        database.execute("DO $$ BEGIN IF to_regclass('application') IS NOT NULL THEN DELETE FROM application; END IF; END $$");
    }
}
