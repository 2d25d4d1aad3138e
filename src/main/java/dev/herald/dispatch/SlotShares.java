package dev.herald.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A replica's attempt slots shared between applications: no application holds more than its share of them
 * ({@code herald.dispatch.max-application-share} of {@code herald.dispatch.max-concurrent-attempts}), so one
 * application's silent or slow receivers can fill only its own share and the others' deliveries always find free
 * slots. Counted here, per replica: the share of a replica's slots is that replica's to give.
 */
final class SlotShares {

    /** What the next claim may take: per application with attempts here, what it may still start; the rest. */
    record Room(Integer[] applications, Integer[] room, int unlisted, Integer[] full) {
    }

    /** No share held anywhere: a claim that may take every slot it asks for (tests, the bench's SQL floor). */
    static Room none() {
        return new Room(new Integer[0], new Integer[0], Integer.MAX_VALUE, new Integer[0]);
    }

    private final int share;
    private final Map<Integer, Integer> held = new ConcurrentHashMap<>();

    SlotShares(int slots, double fraction) {
        this.share = Math.max(1, (int) Math.floor(slots * fraction));
    }

    int share() {
        return share;
    }

    Room room() {
        List<Integer> applications = new ArrayList<>();
        List<Integer> room = new ArrayList<>();
        List<Integer> full = new ArrayList<>();
        held.forEach((application, attempts) -> {
            applications.add(application);
            room.add(Math.max(0, share - attempts));
            if (attempts >= share) {
                full.add(application);
            }
        });
        return new Room(applications.toArray(Integer[]::new), room.toArray(Integer[]::new), share,
                full.toArray(Integer[]::new));
    }

    void started(int application) {
        held.merge(application, 1, Integer::sum);
    }

    void ended(int application) {
        held.computeIfPresent(application, (key, attempts) -> attempts <= 1 ? null : attempts - 1);
    }

    int held(int application) {
        return held.getOrDefault(application, 0);
    }
}
