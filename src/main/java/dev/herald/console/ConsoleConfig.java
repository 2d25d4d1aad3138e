package dev.herald.console;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The console's settings. */
@ConfigMapping(prefix = "herald.console")
public interface ConsoleConfig {

    /**
     * The origins allowed to embed the console in a frame (an application's own portal page signing its customers in
     * with a portal token), as {@code https://host[:port]}; none by default (no page may frame it).
     */
    Optional<List<String>> frameAncestors();
}
