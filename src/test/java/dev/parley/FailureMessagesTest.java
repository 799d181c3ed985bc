package dev.parley;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;

import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

/** Messages of errors that wrap an unexpected exception name what went wrong, not a Java class. */
class FailureMessagesTest {

    private static Provider throwing(RuntimeException e) {
        return ScriptedProvider.newBuilder("broken").answer(r -> {
            throw e;
        }).build();
    }

    @Test
    void aProviderThrowingAPlainJavaException_isDescribedWithoutItsClassName() {
        for (RuntimeException thrown : new RuntimeException[] {
            new IllegalArgumentException("the widget is bent"), new IllegalStateException(), new NullPointerException()}) {
            Llm llm = Llm.newBuilder().provider(throwing(thrown)).defaultModel("m").build();
            LlmException e = assertThrows(LlmException.class, () -> llm.chat("hi"));
            assertFalse(e.getMessage().contains("java."), e.getMessage());
            assertFalse(e.getMessage().contains("Exception"), e.getMessage());
            assertSame(thrown, e.getCause());
            if (thrown.getMessage() != null) {
                assertTrue(e.getMessage().contains("the widget is bent"), e.getMessage());
            }
        }
    }
}
