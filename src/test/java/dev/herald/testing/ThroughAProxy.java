package dev.herald.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Every attempt through a real CONNECT proxy on loopback ({@code herald.delivery.proxy}, with credentials), and a
 * JVM that trusts a {@code localhost} certificate made for TLS receivers (Herald's client trusts what the JVM
 * trusts). The proxy starts and the certificate is made before Herald starts; both reach the tests through the
 * system properties, which the profile and the tests share whatever class loaders load them.
 */
public class ThroughAProxy implements QuarkusTestProfile {

    public static final String USER = "herald";
    public static final String PASSWORD = "s@cret";

    private static final String SEEN = "through-a-proxy.seen";
    private static final String PORT = "through-a-proxy.port";
    private static final String KEY_STORE = "through-a-proxy.key-store";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("herald.delivery.proxy", "http://herald:s%40cret@127.0.0.1:" + start());
    }

    private static synchronized int start() {
        try {
            if (System.getProperties().get(PORT) == null) {
                TestCertificates.Made made = TestCertificates.localhost(TemporaryFiles.directory()
                        .resolve("through-a-proxy"));
                System.setProperty("javax.net.ssl.trustStore", made.trustStore().toString());
                System.setProperty("javax.net.ssl.trustStorePassword", TestCertificates.PASSWORD);
                System.getProperties().put(KEY_STORE, made.keyStore().toString());
                ConnectProxy proxy = new ConnectProxy(); // ends with the test JVM
                System.getProperties().put(SEEN, proxy.seen());
                System.getProperties().put(PORT, proxy.port());
            }
            return (Integer) System.getProperties().get(PORT);
        } catch (Exception e) {
            throw new IllegalStateException("the proxy or the certificate could not be made", e);
        }
    }

    /** What the deployment's proxy was sent so far ({@link ConnectProxy#seen()}). */
    @SuppressWarnings("unchecked")
    public static List<String> seen() {
        return (List<String>) System.getProperties().get(SEEN);
    }

    /** The PKCS#12 key store (password {@link TestCertificates#PASSWORD}) of a receiver's {@code localhost} certificate. */
    public static Path keyStore() {
        return Path.of((String) System.getProperties().get(KEY_STORE));
    }
}
