package dev.herald.testing;

import org.eclipse.microprofile.config.ConfigProvider;

/** The management interface of the running test instance: /q/metrics and /q/health, on their own port. */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
    }

    /** The absolute URL of a management path, e.g. {@code /q/metrics}. */
    public static String url(String path) {
        return "http://localhost:" + port() + path;
    }
}
