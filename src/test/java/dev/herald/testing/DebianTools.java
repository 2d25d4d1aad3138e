package dev.herald.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tools from Debian packages that some tests drive (prometheus, promtool, kubectl): found on the PATH, or
 * installed with apt-get when this runs as root (as CI does), so a fresh machine needs nothing by hand.
 */
public final class DebianTools {

    private DebianTools() {
    }

    /** The tool's path, installing Debian's {@code debianPackage} first when it is missing. */
    public static synchronized Path require(String tool, String debianPackage) throws IOException, InterruptedException {
        Path found = onPath(tool);
        if (found == null && isRoot() && onPath("apt-get") != null) {
            run(List.of("apt-get", "update", "-qq"));
            run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", debianPackage));
            found = onPath(tool);
        }
        if (found == null) {
            throw new AssertionError(tool + " is not installed and could not be installed here:"
                    + " run `apt-get install " + debianPackage + "` (Debian) and test again");
        }
        return found;
    }

    /** Runs a command to its end (bounded), answering its output; fails on a non-zero exit. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    private static Path onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (String dir : List.of("/usr/sbin", "/usr/bin")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
