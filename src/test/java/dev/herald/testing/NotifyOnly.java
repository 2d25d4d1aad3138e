package dev.herald.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Polling so rare that only LISTEN/NOTIFY can explain a prompt delivery. */
public class NotifyOnly implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("herald.dispatch.poll-interval", "10m");
    }
}
