package dev.herald.database;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The datasource settings of the embedded PostgreSQL, which starts when one of them is first read rather than when
 * the configuration is built: tools that build Herald's configuration without running Herald (the Quarkus Maven
 * extension does, in Maven's own JVM, before each test run) then start no server of their own.
 */
final class EmbeddedDatabaseSource implements ConfigSource {

    static final String USERNAME_KEY = "quarkus.datasource.username";
    static final String PASSWORD_KEY = "quarkus.datasource.password";
    private static final Set<String> KEYS =
            Set.of(EmbeddedDatabaseConfigSourceFactory.URL_KEY, USERNAME_KEY, PASSWORD_KEY);

    private final boolean throwaway;
    private final int ordinal;
    private volatile Map<String, String> settings;

    EmbeddedDatabaseSource(boolean throwaway, int ordinal) {
        this.throwaway = throwaway;
        this.ordinal = ordinal;
    }

    @Override
    public Set<String> getPropertyNames() {
        return KEYS;
    }

    @Override
    public String getValue(String name) {
        if (!KEYS.contains(name)) {
            return null;
        }
        Map<String, String> started = settings;
        if (started == null) {
            started = EmbeddedDatabase.connectionSettings(throwaway);
            settings = started;
        }
        return started.get(name);
    }

    @Override
    public int getOrdinal() {
        return ordinal;
    }

    @Override
    public String getName() {
        return "herald-embedded-postgres";
    }
}
