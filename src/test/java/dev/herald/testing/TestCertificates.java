package dev.herald.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's keytool: a PKCS#12 key
 * store for a TLS receiver and a trust store holding only its certificate.
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
