package dev.herald.dispatch;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

/**
 * The log of a task that is retried on a timer (a claim, fan-out, reclaiming leases, recording outcomes): the
 * first failure of a run at WARN, the ones after it at DEBUG, and the recovery at INFO. A database away for a
 * minute makes two lines per task, not one a second.
 */
final class FailureRun {

    private final Logger log;
    private final String task;
    private final AtomicBoolean failing = new AtomicBoolean();

    FailureRun(Logger log, String task) {
        this.log = log;
        this.task = task;
    }

    void failed(Throwable failure) {
        if (failing.compareAndSet(false, true)) {
            log.warnf("%s failed (%s); it is retried every poll interval and further failures are logged at DEBUG",
                    task, failure.toString());
        } else {
            log.debugf(failure, "%s failed again", task);
        }
    }

    void succeeded() {
        if (failing.compareAndSet(true, false)) {
            log.infof("%s works again", task);
        }
    }
}
