package dev.herald.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test class the quick run leaves out ({@code ./mvnw test -DexcludedGroups=slow}, docs/operations.md): it starts
 * Herald in a test profile of its own (a restart of several seconds), drives a real browser or Prometheus, or waits
 * on real time by design (the 4 s, 8 s, 10 s retry schedule). {@code ./mvnw verify} runs it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("slow")
public @interface Slow {
}
