package dev.herald.dispatch;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.herald.delivery.WebhookSender;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.tracing.Tracing;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * One replica's delivery loop, driven by signals rather than threads: a notification or a new event starts a
 * fan-out round; a fan-out, a recorded batch of outcomes or a timer starts a claim round. A claim takes as many
 * deliveries as this replica has free attempt slots, every claimed delivery is attempted at once, and its
 * outcome goes to the {@link Completer}. Rounds of one kind never overlap; a signal during a round makes the
 * round run again. Fan-out has a second, small round for events that arrive while a batch runs. Everything runs
 * on the Vert.x event loop and never blocks it.
 *
 * <p>One delivery: claimed here ({@link Claimer}), then prepared, sent, decided and recorded by
 * {@link DeliveryPath}; nothing one delivery does can stop the loop or another delivery.
 */
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final Vertx vertx;
    private final Claimer claimer;
    private final FanOut fanOut;
    private final LeaseReaper reaper;
    private final DispatchConfig dispatch;
    private final Completer completer;
    private final DeliveryPath path;
    private final DeliveryMetrics metrics;

    private final AtomicInteger freeSlots;
    private final SlotShares shares;
    private final Round claimRound = new Round(this::claim);
    private final Round fanOutRound = new Round(this::fanOutBatch);
    private final Round newcomerRound = new Round(this::fanOutNewcomers);
    private final Round reaperRound = new Round(this::reap);
    private final FailureRun claims = new FailureRun(LOG, "Claiming deliveries", this::stopped);
    private final FailureRun fanOuts = new FailureRun(LOG, "Fanning out events", this::stopped);
    private final FailureRun reaping = new FailureRun(LOG, "Reclaiming expired leases", this::stopped);
    private final AtomicLong wakeTimer = new AtomicLong(-1);
    private final AtomicLong lastBackstop = new AtomicLong();
    private volatile boolean running;
    private long periodicTimer = -1;

    public Dispatcher(Vertx vertx, Pool pool, Claimer claimer, FanOut fanOut, LeaseReaper reaper,
            WebhookSender sender, OutgoingRequests requests, Tracing tracing, UnreadableSecrets unreadable,
            DeliveryMetrics metrics, DispatchConfig dispatch) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.claimer = claimer;
        this.fanOut = fanOut;
        this.reaper = reaper;
        this.dispatch = dispatch;
        this.freeSlots = new AtomicInteger(dispatch.maxConcurrentAttempts());
        this.shares = new SlotShares(dispatch.maxConcurrentAttempts(), dispatch.maxApplicationShare());
        this.completer = new Completer(pool, vertx, dispatch, metrics, this::wake);
        this.path = new DeliveryPath(requests, sender, completer, tracing, unreadable, metrics);
    }

    public void start() {
        running = true;
        lastBackstop.set(System.nanoTime());
        periodicTimer = vertx.setPeriodic(dispatch.pollInterval().toMillis(), id -> backstop());
        outboxChanged();
    }

    /**
     * New events may be in the outbox. While a fan-out batch runs, a small statement beside it takes what just
     * arrived, so one application's backlog does not hold another application's new events for a whole batch.
     */
    public void outboxChanged() {
        if (fanOutRound.isActive()) {
            newcomerRound.request();
        }
        fanOutRound.request();
    }

    /** Deliveries may be due. */
    public void wake() {
        claimRound.request();
    }

    /** Stops claiming, then waits (blocking: call it from a shutdown thread) for attempts in flight to be recorded. */
    public void drain(Duration timeout) {
        running = false;
        vertx.cancelTimer(periodicTimer);
        vertx.cancelTimer(wakeTimer.getAndSet(-1));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (attemptsInFlight() > 0 || completer.pending() > 0) {
            if (System.nanoTime() > deadline) {
                LOG.warnf("Stopped with %d attempts unrecorded; their leases expire and they are attempted again",
                        attemptsInFlight() + completer.pending());
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.info("Dispatcher drained: every attempt in flight was recorded");
    }

    private boolean stopped() {
        return !running;
    }

    public int attemptsInFlight() {
        return dispatch.maxConcurrentAttempts() - freeSlots.get();
    }

    /** This replica's attempts in flight for one application. */
    public int attemptsInFlight(int applicationId) {
        return shares.held(applicationId);
    }

    /**
     * Why this loop is not making progress, or null when it is: it is stopped, its backstop timer no longer fires,
     * or a claim, fan-out, reaper or completion round has run longer than {@code bound}.
     */
    public String stalled(Duration stallBound) {
        long now = System.nanoTime();
        long bound = stallBound.toNanos();
        if (!running) {
            return "stopped";
        }
        if (now - lastBackstop.get() > Math.max(bound, dispatch.pollInterval().multipliedBy(10).toNanos())) {
            return "its timer has not fired for " + Duration.ofNanos(now - lastBackstop.get()).toSeconds() + " s";
        }
        if (claimRound.runningFor(now) > bound) {
            return "a claim has run for " + Duration.ofNanos(claimRound.runningFor(now)).toSeconds() + " s";
        }
        long fanOutFor = Math.max(fanOutRound.runningFor(now), newcomerRound.runningFor(now));
        if (fanOutFor > bound) {
            return "a fan-out has run for " + Duration.ofNanos(fanOutFor).toSeconds() + " s";
        }
        if (reaperRound.runningFor(now) > bound) {
            return "reclaiming leases has run for " + Duration.ofNanos(reaperRound.runningFor(now)).toSeconds() + " s";
        }
        if (completer.flushingFor(now) > bound) {
            return "recording outcomes has run for " + Duration.ofNanos(completer.flushingFor(now)).toSeconds() + " s";
        }
        return null;
    }

    private void backstop() {
        lastBackstop.set(System.nanoTime());
        reaperRound.request();
        fanOutRound.request();
        wake();
    }

    private void reap() {
        reaper.reapExpiredLeases().subscribe().with(
                reaped -> reaperRound.end(() -> {
                    reaping.succeeded();
                    if (reaped > 0) {
                        wake();
                    }
                    return false;
                }),
                failure -> {
                    reaping.failed(failure);
                    reaperRound.done(false);
                });
    }

    private void fanOutBatch() {
        fanOut(fanOutRound, fanOut.fanOutBatch());
    }

    private void fanOutNewcomers() {
        fanOut(newcomerRound, fanOut.fanOutNewcomers());
    }

    private void fanOut(Round lane, Uni<FanOut.Round> statement) {
        statement.subscribe().with(
                round -> lane.end(() -> {
                    fanOuts.succeeded();
                    if (round.events() > 0) {
                        metrics.ingested(round.events());
                    }
                    for (FanOut.SetAside aside : round.setAside()) {
                        metrics.setAside();
                        LOG.warnf("Event %d was set aside: its fan-out fails (%s). Every other event goes on;"
                                + " the operator sends it again with retrySetAsideEvents", aside.eventId(), aside.error());
                    }
                    if (round.deliveries() > 0) {
                        wake();
                    }
                    if (round.more() && lane == newcomerRound) {
                        fanOutRound.request(); // newcomers' statements do not repeat: batches take what is left
                        return false;
                    }
                    return round.more();
                }),
                failure -> {
                    fanOuts.failed(failure);
                    lane.done(false);
                });
    }

    private void claim() {
        int room = freeSlots.get();
        if (room == 0) {
            claimRound.done(false); // a completion wakes us
            return;
        }
        claimer.claim(room, shares.room()).subscribe().with(
                batch -> claimRound.end(() -> {
                    claims.succeeded();
                    List<ClaimedDelivery> claimed = batch.deliveries();
                    freeSlots.addAndGet(-claimed.size());
                    claimed.forEach(delivery -> shares.started(delivery.applicationId()));
                    claimed.forEach(this::attempt);
                    boolean moreMayBeDue = batch.endpointsLocked() >= claimer.endpointsFor(room);
                    if (!moreMayBeDue) {
                        sleepFor(batch.nextDue());
                    }
                    return moreMayBeDue && freeSlots.get() > 0;
                }),
                failure -> {
                    claims.failed(failure);
                    claimRound.done(false);
                });
    }

    /** Takes one claimed delivery through its stages ({@link DeliveryPath}); its slot is always given back. */
    private void attempt(ClaimedDelivery claimed) {
        path.run(claimed, () -> {
            shares.ended(claimed.applicationId());
            freeSlots.incrementAndGet();
        });
    }

    /** Sets the wake-up timer for {@code delay} from now, when that comes before the next poll. */
    private void sleepFor(Duration delay) {
        if (delay == null || !running) {
            return; // the poll is the backstop
        }
        long millis = Math.max(1, delay.toMillis());
        if (millis < dispatch.pollInterval().toMillis()) {
            long timer = vertx.setTimer(millis, id -> wake());
            vertx.cancelTimer(wakeTimer.getAndSet(timer));
        }
    }

    /** A task that never runs twice at once; requests during a run make it run once more. */
    private final class Round {

        private final Runnable task;
        private final AtomicBoolean active = new AtomicBoolean();
        private final AtomicBoolean requestedAgain = new AtomicBoolean();
        private volatile long startedNanos;

        Round(Runnable task) {
            this.task = task;
        }

        void request() {
            if (!running) {
                return;
            }
            requestedAgain.set(true);
            if (active.compareAndSet(false, true)) {
                requestedAgain.set(false);
                startedNanos = System.nanoTime();
                vertx.runOnContext(v -> {
                    try {
                        task.run();
                    } catch (RuntimeException unexpected) {
                        LOG.error("A dispatch round failed unexpectedly; the poll runs it again", unexpected);
                        done(false);
                    }
                });
            }
        }

        /**
         * Ends a run with what {@code body} answers (run again at once?). Whatever the body throws is logged and
         * the run ends all the same: an exception in a subscriber callback is otherwise dropped by Mutiny and the
         * round would never end.
         */
        void end(java.util.function.BooleanSupplier body) {
            boolean again = false;
            try {
                again = body.getAsBoolean();
            } catch (RuntimeException unexpected) {
                LOG.error("A dispatch round failed unexpectedly; the poll runs it again", unexpected);
            } finally {
                done(again);
            }
        }

        /** Ends a run; runs again if asked to during it, or if {@code again}. */
        void done(boolean again) {
            active.set(false);
            if (again || requestedAgain.getAndSet(false)) {
                request();
            }
        }

        boolean isActive() {
            return active.get();
        }

        /** How long the current run has lasted; 0 when none runs. */
        long runningFor(long nowNanos) {
            return active.get() ? nowNanos - startedNanos : 0;
        }
    }
}
