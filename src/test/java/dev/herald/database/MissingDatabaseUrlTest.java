package dev.herald.database;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfigBuilder;

/** In prod, no URL means a startup error that names the variables an operator sets. */
class MissingDatabaseUrlTest {

    @Test
    void prodWithoutUrlFailsNamingTheVariable() {
        var config = new SmallRyeConfigBuilder()
                .withProfile("prod")
                .withSources(new EmbeddedDatabaseConfigSourceFactory())
                .build();
        var error = assertThrows(RuntimeException.class,
                () -> config.getOptionalValue(EmbeddedDatabaseConfigSourceFactory.URL_KEY, String.class));
        assertTrue(error.getMessage().contains("QUARKUS_DATASOURCE_REACTIVE_URL"), error.getMessage());
    }

    @Test
    void prodWithUrlUsesIt() {
        var config = new SmallRyeConfigBuilder()
                .withProfile("prod")
                .withDefaultValue(EmbeddedDatabaseConfigSourceFactory.URL_KEY, "postgresql://db:5432/herald")
                .withSources(new EmbeddedDatabaseConfigSourceFactory())
                .build();
        assertTrue(config.getValue(EmbeddedDatabaseConfigSourceFactory.URL_KEY, String.class).endsWith("/herald"));
        assertNull(config.getConfigValue("unrelated.key").getValue());
    }
}
