package dev.herald.database;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The last source asked for the datasource URL, present only when no other source has one outside dev and tests.
 * Quarkus alone would deactivate the datasource and name a property; operators set environment variables.
 */
final class MissingDatabaseUrl implements ConfigSource {

    static final String MESSAGE = "No database configured: set QUARKUS_DATASOURCE_REACTIVE_URL"
            + " (for example postgresql://db.example:5432/herald), QUARKUS_DATASOURCE_USERNAME and"
            + " QUARKUS_DATASOURCE_PASSWORD. Only dev mode and tests start an embedded PostgreSQL.";

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of();
    }

    @Override
    public String getValue(String propertyName) {
        if (EmbeddedDatabaseConfigSourceFactory.URL_KEY.equals(propertyName)) {
            throw new ConfigurationException(MESSAGE, Set.of(propertyName));
        }
        return null;
    }

    @Override
    public int getOrdinal() {
        return Integer.MIN_VALUE;
    }

    @Override
    public String getName() {
        return "herald-missing-database-url";
    }
}
