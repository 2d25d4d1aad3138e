package dev.herald.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Production's delivery safety: https required and no internal range allowed (only a documentation range,
 * 192.0.2.0/24, which nothing here ever contacts).
 */
public class StrictDelivery implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "herald.delivery.require-https", "true",
                "herald.delivery.allowed-networks", "192.0.2.0/24");
    }
}
