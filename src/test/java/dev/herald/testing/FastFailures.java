package dev.herald.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Retries a fraction of a second apart, and webhooks switched off after 10 s of nothing but failures; the console may
 * be framed by pages on 127.0.0.1; spans are exported to a collector on loopback ({@link OtlpCollector}). One profile
 * for all of these: each profile a lane runs costs it a build of Herald before its first test and a start after.
 */
public class FastFailures implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> settings = new HashMap<>(OtlpCollector.exportSettings());
        settings.put("herald.delivery.retry-schedule", "100ms,100ms,100ms");
        settings.put("herald.delivery.disable-after", "10s");
        // the console's browser tests embed it in a page of a loopback receiver (another origin)
        settings.put("herald.console.frame-ancestors", "http://127.0.0.1:*");
        return settings;
    }
}
