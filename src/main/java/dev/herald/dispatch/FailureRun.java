package dev.herald.dispatch;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

/**
 * The log of a task that is retried on a timer (a claim, fan-out, reclaiming leases, recording outcomes): the
 * first failure of a run at WARN, the ones after it at DEBUG, and the recovery at INFO. A database away for a
 * minute makes two lines per task, not one a second. A round that fails while Herald stops (its pool closing under
 * it) is expected and logged at DEBUG.
 */
public final class FailureRun {

    private final Logger log;
    private final String task;
    private final BooleanSupplier stopping;
    private final AtomicBoolean failing = new AtomicBoolean();

    /** A task whose every failure matters, stopping or not (recording outcomes). */
    public FailureRun(Logger log, String task) {
        this(log, task, () -> false);
    }

    public FailureRun(Logger log, String task, BooleanSupplier stopping) {
        this.log = log;
        this.task = task;
        this.stopping = stopping;
    }

    public void failed(Throwable failure) {
        if (stopping.getAsBoolean()) {
            log.debugf(failure, "%s failed while stopping", task);
        } else if (failing.compareAndSet(false, true)) {
            log.warnf("%s failed (%s); it is retried every poll interval and further failures are logged at DEBUG",
                    task, failure.toString());
        } else {
            log.debugf(failure, "%s failed again", task);
        }
    }

    public void succeeded() {
        if (failing.compareAndSet(true, false)) {
            log.infof("%s works again", task);
        }
    }
}
