package dev.herald.metrics;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * Drops one WARN Quarkus prints at every start: the reactive SQL client's pool gauge {@code postgresql.queue.size}
 * registered twice (quarkus#47504, a harmless duplicate). A newcomer would take it for a fault of Herald's.
 */
@LoggingFilter(name = "herald-known-warnings")
public final class KnownDuplicateGauge implements Filter {

    private static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!LOGGER.equals(record.getLoggerName())) {
            return true;
        }
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        return message == null || !(message.contains("already registered") && message.contains("postgresql.queue.size"));
    }
}
