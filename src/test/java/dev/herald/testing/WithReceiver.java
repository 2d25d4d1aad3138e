package dev.herald.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * For tests that deliver to a real loopback receiver: a fresh receiver, application (its API key) and
 * provider before each test, the receiver closed after it.
 */
public abstract class WithReceiver {

    protected Receiver receiver;
    protected String key;
    protected int provider;

    @BeforeEach
    void startReceiverAndTenant() throws Exception {
        receiver = new Receiver();
        key = GraphQL.newApplication(getClass().getSimpleName());
        provider = GraphQL.newProvider(key, "smtp");
    }

    @AfterEach
    void closeReceiver() throws Exception {
        receiver.close();
    }
}
