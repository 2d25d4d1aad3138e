package dev.herald.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.interceptor.InvocationContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.testing.LogCapture;
import io.smallrye.mutiny.Uni;

class UnexpectedFailureLoggerTest {

    private LogCapture log;

    @BeforeEach
    void listen() {
        log = LogCapture.of(UnexpectedFailureLogger.class);
    }

    @AfterEach
    void stopListening() {
        log.close();
    }

    @Test
    void anUnexpectedFailureIsLoggedAndPassedOn() throws Exception {
        IllegalStateException boom = new IllegalStateException("database gone");
        Uni<?> result = (Uni<?>) new UnexpectedFailureLogger().log(context(Uni.createFrom().failure(boom)));
        assertSame(boom, assertThrows(IllegalStateException.class, () -> result.await().atMost(Duration.ofSeconds(1))));
        assertEquals(1, log.records().size());
        assertSame(boom, log.records().get(0).getThrown());
    }

    @Test
    void theCallersMistakesAreNotLogged() throws Exception {
        Uni<?> result = (Uni<?>) new UnexpectedFailureLogger().log(
                context(Uni.createFrom().failure(new InvalidInput("webhookUrl", "must be https"))));
        assertThrows(InvalidInput.class, () -> result.await().atMost(Duration.ofSeconds(1)));
        assertEquals(List.of(), log.records());
    }

    private static InvocationContext context(Object returned) throws NoSuchMethodException {
        Method method = UnexpectedFailureLoggerTest.class.getDeclaredMethod("context", Object.class);
        return new InvocationContext() {
            public Object getTarget() { return null; }
            public Object getTimer() { return null; }
            public Method getMethod() { return method; }
            public Constructor<?> getConstructor() { return null; }
            public Object[] getParameters() { return new Object[0]; }
            public void setParameters(Object[] params) { }
            public Map<String, Object> getContextData() { return Map.of(); }
            public Object proceed() { return returned; }
        };
    }
}
