package dev.herald.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * No dispatcher starts with the application: each test runs its own replicas ({@code Dispatchers.newDispatcher()}),
 * with a short attempt timeout and lease so that crashes recover within a test.
 */
public class ManualDispatch implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "herald.dispatch.enabled", "false",
                "herald.delivery.timeout", "2s",
                "herald.dispatch.lease", "3s");
    }
}
