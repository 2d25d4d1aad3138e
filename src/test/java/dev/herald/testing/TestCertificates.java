package dev.herald.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made with the JDK's keytool: a self-signed one for {@code localhost} and {@code 127.0.0.1} (a PKCS#12
 * key store for a TLS receiver and a trust store holding only its certificate), and client certificates in PEM.
 */
public final class TestCertificates {

    public static final String PASSWORD = "changeit";

    /** The key store and the trust store made. */
    public record Made(Path keyStore, Path trustStore) {
    }

    private TestCertificates() {
    }

    public static Made localhost(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path keyStore = directory.resolve("receiver.p12");
        Path certificate = directory.resolve("receiver.crt");
        Path trustStore = directory.resolve("trust.p12");
        for (Path made : List.of(keyStore, certificate, trustStore)) {
            Files.deleteIfExists(made);
        }
        keytool("-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore",
                keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "receiver", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "receiver", "-file", certificate.toString(), "-keystore",
                trustStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
        return new Made(keyStore, trustStore);
    }

    /** A certificate and its private key, both PEM (the key PKCS8), as a webhook's owner gives them to Herald. */
    public record Pem(String certificate, String privateKey) {
    }

    /**
     * A self-signed client certificate for {@code commonName} (EC P-256), valid from {@code startDate} (keytool's
     * form: {@code -1d}, or empty for now) for {@code days} days.
     */
    public static Pem client(Path directory, String commonName, String startDate, int days)
            throws IOException, InterruptedException, GeneralSecurityException {
        return client(directory, commonName, startDate, days, "EC");
    }

    /** As {@link #client(Path, String, String, int)}, with a key of keytool's {@code keyAlgorithm} (EC: P-256). */
    public static Pem client(Path directory, String commonName, String startDate, int days, String keyAlgorithm)
            throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(directory);
        Path keyStore = directory.resolve(commonName + ".p12");
        Files.deleteIfExists(keyStore);
        List<String> arguments = new java.util.ArrayList<>(List.of("-genkeypair", "-alias", "client", "-keyalg",
                keyAlgorithm, "-dname", "CN=" + commonName, "-validity", Integer.toString(days),
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass",
                PASSWORD));
        if (keyAlgorithm.equals("EC")) {
            arguments.addAll(List.of("-groupname", "secp256r1"));
        }
        if (!startDate.isEmpty()) {
            arguments.addAll(List.of("-startdate", startDate));
        }
        keytool(arguments.toArray(String[]::new));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        Certificate certificate = store.getCertificate("client");
        Key key = store.getKey("client", PASSWORD.toCharArray());
        return new Pem(pem("CERTIFICATE", certificate.getEncoded()), pem("PRIVATE KEY", key.getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... arguments) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool " + arguments[0] + " failed: " + output);
        }
    }
}
