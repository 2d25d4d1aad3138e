package dev.herald.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Tests keep their temporary files under {@code target/tmp}, never in {@code /tmp}: Surefire and Failsafe start the
 * test JVM with {@code -Djava.io.tmpdir} set there (pom.xml), the fault tier's replicas get the same, and this
 * listener (META-INF/services), which JUnit calls before any test is found, makes the directory. Whatever a run
 * leaves there goes with {@code mvn clean}; what a test makes for itself (a database's data, Prometheus's work) it
 * deletes when it is done.
 */
public class TemporaryFiles implements LauncherSessionListener {

    /** The test JVM's temporary directory, where a child process is told to keep its own. */
    public static Path directory() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Deletes a directory and everything in it, if it is there. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        try {
            Files.createDirectories(directory());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not make the tests' temporary directory " + directory(), e);
        }
    }
}
