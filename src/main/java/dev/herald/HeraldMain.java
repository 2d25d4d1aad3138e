package dev.herald;

import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import sun.misc.Signal;

/**
 * Herald's entry point: Quarkus's, except that SIGTERM (how Kubernetes and podman stop a container) is an orderly
 * exit with code 0. The JVM alone would run the same shutdown (the dispatcher drains: no new claims, every attempt
 * in flight finished and recorded) but then exit with 143, as if the process had failed.
 */
@QuarkusMain
@SuppressWarnings("sunapi") // sun.misc.Signal: the JDK's supported way (module jdk.unsupported) to handle a signal
public class HeraldMain implements QuarkusApplication {

    public static void main(String... args) {
        Quarkus.run(HeraldMain.class, args);
    }

    @Override
    public int run(String... args) {
        // only the packaged application: dev mode's launcher restarts on asyncExit instead of stopping, and a
        // `kill` must still end it
        if (LaunchMode.current() == LaunchMode.NORMAL) {
            Signal.handle(new Signal("TERM"), signal -> Quarkus.asyncExit(0));
        }
        Quarkus.waitForExit();
        return 0;
    }
}
