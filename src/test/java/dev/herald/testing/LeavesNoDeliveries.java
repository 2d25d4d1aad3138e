package dev.herald.testing;

import org.junit.jupiter.api.AfterEach;

import io.quarkus.arc.Arc;

/**
 * For a {@code @QuarkusTest} that leaves deliveries waiting or claimed (a slow or silent receiver, a dispatcher
 * stopped halfway, a webhook switched off): after each of its tests every delivery not yet final is forgotten and
 * every slot given back ({@link Database#finishEveryDelivery()}), so that the next test, on the same database and
 * perhaps the same profile, inherits no claims and no backlog.
 */
public interface LeavesNoDeliveries {

    @AfterEach
    default void finishEveryDelivery() {
        Arc.container().instance(Database.class).get().finishEveryDelivery();
    }
}
