package dev.herald.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * No dispatcher starts with the application: each test runs its own replicas ({@code Dispatchers.newDispatcher()}),
 * with a short attempt timeout and lease so that crashes recover within a test, and a 15 s rate window so that a
 * test of the per-minute cap does not wait a real minute (the rule is the same).
 */
public class ManualDispatch implements QuarkusTestProfile {

    public static final int RATE_WINDOW_SECONDS = 15;


    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "herald.dispatch.enabled", "false",
                "herald.delivery.timeout", "2s",
                "herald.dispatch.lease", "3s",
                "herald.dispatch.rate-window", RATE_WINDOW_SECONDS + "s");
    }
}
