package dev.herald.retention;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long Herald keeps what it has done, and how it cuts its history into partitions. */
@ConfigMapping(prefix = "herald.retention")
public interface RetentionConfig {

    /**
     * How long finished deliveries, their attempts and fully delivered events are kept; also how long a FAILED
     * delivery may be replayed. Measured from when a delivery finished, an attempt started, an event was accepted.
     */
    @WithDefault("30d")
    Duration period();

    /**
     * The time range of one partition of the history tables; what retention drops at once. Shorter: the disk
     * follows the retention period more closely, more partitions. At least 1 minute.
     */
    @WithDefault("1d")
    Duration partitionInterval();

    /**
     * Partitions kept ready ahead of time. Without a partition for the current time nothing can be written (not
     * even a producer's INSERT into the outbox), so this many intervals is how long every replica may be down.
     */
    @WithDefault("3")
    int partitionsAhead();
}
