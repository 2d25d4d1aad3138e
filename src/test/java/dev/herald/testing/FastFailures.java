package dev.herald.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Retries a fraction of a second apart, and webhooks switched off after 10 s of nothing but failures; the console may
 * be framed by pages on 127.0.0.1.
 */
public class FastFailures implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "herald.delivery.retry-schedule", "100ms,100ms,100ms",
                "herald.delivery.disable-after", "10s",
                // the console's browser tests embed it in a page of a loopback receiver (another origin)
                "herald.console.frame-ancestors", "http://127.0.0.1:*");
    }
}
