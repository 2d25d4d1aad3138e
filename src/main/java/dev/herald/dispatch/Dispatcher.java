package dev.herald.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.delivery.EndpointGuards;
import dev.herald.delivery.OutgoingRequest;
import dev.herald.delivery.SigningKeys;
import dev.herald.metrics.DeliveryMetrics;
import dev.herald.webhook.SecretCipher;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * One replica's delivery loop, driven by signals rather than threads: a notification or a new event starts a
 * fan-out round; a fan-out, a recorded batch of outcomes or a timer starts a claim round. A claim takes as many
 * deliveries as this replica has free attempt slots, every claimed delivery is attempted at once, and its
 * outcome goes to the {@link Completer}. Rounds of one kind never overlap; a signal during a round makes the
 * round run again. Everything runs on the Vert.x event loop and never blocks it.
 */
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);

    private final Vertx vertx;
    private final Claimer claimer;
    private final FanOut fanOut;
    private final LeaseReaper reaper;
    private final EndpointGuards guards;
    private final DeliveryConfig delivery;
    private final DispatchConfig dispatch;
    private final Completer completer;
    private final SecretCipher cipher;
    private final DeliveryMetrics metrics;

    private final AtomicInteger freeSlots;
    private final Round claimRound = new Round(this::claim);
    private final Round fanOutRound = new Round(this::fanOut);
    private final AtomicLong wakeTimer = new AtomicLong(-1);
    private final AtomicLong lastLoop = new AtomicLong();
    private volatile boolean running;
    private long periodicTimer = -1;

    public Dispatcher(Vertx vertx, Pool pool, Claimer claimer, FanOut fanOut, LeaseReaper reaper,
            EndpointGuards guards, SecretCipher cipher, DeliveryMetrics metrics, DeliveryConfig delivery,
            DispatchConfig dispatch) {
        this.cipher = cipher;
        this.metrics = metrics;
        this.vertx = vertx;
        this.claimer = claimer;
        this.fanOut = fanOut;
        this.reaper = reaper;
        this.guards = guards;
        this.delivery = delivery;
        this.dispatch = dispatch;
        this.freeSlots = new AtomicInteger(dispatch.maxConcurrentAttempts());
        this.completer = new Completer(pool, vertx, delivery, dispatch, metrics, this::wake);
    }

    public void start() {
        running = true;
        lastLoop.set(System.nanoTime());
        periodicTimer = vertx.setPeriodic(dispatch.pollInterval().toMillis(), id -> backstop());
        outboxChanged();
    }

    /** New events may be in the outbox. */
    public void outboxChanged() {
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

    public int attemptsInFlight() {
        return dispatch.maxConcurrentAttempts() - freeSlots.get();
    }

    /** True while the loop is running and its backstop timer fires on time. */
    public boolean alive() {
        return running && System.nanoTime() - lastLoop.get() < dispatch.pollInterval().multipliedBy(10).toNanos();
    }

    private void backstop() {
        lastLoop.set(System.nanoTime());
        reaper.reapExpiredLeases().subscribe().with(
                reaped -> {
                    if (reaped > 0) {
                        wake();
                    }
                },
                failure -> LOG.warn("Reclaiming expired leases failed", failure));
        outboxChanged();
        wake();
    }

    private void fanOut() {
        fanOut.fanOutBatch().subscribe().with(
                events -> {
                    if (events > 0) {
                        metrics.ingested(events);
                        wake();
                    }
                    fanOutRound.done(fanOut.wasFull(events));
                },
                failure -> {
                    LOG.warn("Fan-out failed; the poll retries it", failure);
                    fanOutRound.done(false);
                });
    }

    private void claim() {
        int room = freeSlots.get();
        if (room == 0) {
            claimRound.done(false); // a completion wakes us
            return;
        }
        claimer.claim(room).subscribe().with(
                batch -> {
                    List<ClaimedDelivery> claimed = batch.deliveries();
                    freeSlots.addAndGet(-claimed.size());
                    claimed.forEach(this::attempt);
                    boolean moreMayBeDue = batch.endpointsLocked() >= claimer.endpointsFor(room);
                    if (!moreMayBeDue) {
                        sleepUntil(batch.nextDue());
                    }
                    claimRound.done(moreMayBeDue && freeSlots.get() > 0);
                },
                failure -> {
                    LOG.warn("Claim failed; the poll retries it", failure);
                    claimRound.done(false);
                });
    }

    private void attempt(ClaimedDelivery claimed) {
        SigningKeys keys = new SigningKeys(cipher.decrypt(claimed.secret()), cipher.decrypt(claimed.previousSecret()),
                claimed.legacyHeader());
        OutgoingRequest request = new OutgoingRequest(claimed.webhookId(), claimed.url(), claimed.messageId(),
                claimed.payload(), keys);
        guards.attempt(request).subscribe().with(result -> {
            metrics.attempted(result);
            completer.submit(Outcome.of(claimed, result, delivery.retrySchedule()));
            freeSlots.incrementAndGet();
        });
    }

    /** Sets the wake-up timer for {@code due}, when that comes before the next poll. */
    private void sleepUntil(Instant due) {
        if (due == null || !running) {
            return; // the poll is the backstop
        }
        long delay = Math.max(1, Duration.between(Instant.now(), due).toMillis());
        if (delay < dispatch.pollInterval().toMillis()) {
            long timer = vertx.setTimer(delay, id -> wake());
            vertx.cancelTimer(wakeTimer.getAndSet(timer));
        }
    }

    /** A task that never runs twice at once; requests during a run make it run once more. */
    private final class Round {

        private final Runnable task;
        private final AtomicBoolean active = new AtomicBoolean();
        private final AtomicBoolean requestedAgain = new AtomicBoolean();

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
                vertx.runOnContext(v -> task.run());
            }
        }

        /** Ends a run; runs again if asked to during it, or if {@code again}. */
        void done(boolean again) {
            active.set(false);
            if (again || requestedAgain.getAndSet(false)) {
                request();
            }
        }
    }
}
