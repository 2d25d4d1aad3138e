package dev.herald.hostile;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A packaged-jar test class that compares latencies or bounds a time, so it runs with nothing beside it and its
 * replicas on the JVM's default compilers: after the other packaged-jar classes, which run two at a time (pom.xml).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("alone")
public @interface RunsAlone {
}
