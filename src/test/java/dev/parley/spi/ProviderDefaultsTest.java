package dev.parley.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.LlmException;

/** A provider that only chats implements name, capabilities, chat and stream; the rest refuse clearly. */
class ProviderDefaultsTest {

    private static final Provider CHAT_ONLY = new Provider() {
        @Override
        public String name() {
            return "chat-only";
        }

        @Override
        public Set<Capability> capabilities() {
            return Set.of(Capability.CHAT);
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            throw new AssertionError("not called here");
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            throw new AssertionError("not called here");
        }
    };

    @Test
    void embed_refusesAsUnsupported_namingTheProvider() {
        LlmException e = assertThrows(LlmException.class,
                () -> CHAT_ONLY.embed(EmbeddingRequest.of("m", List.of("text"))));
        assertEquals(LlmException.Kind.UNSUPPORTED, e.kind());
        assertEquals("chat-only", e.provider());
        assertTrue(e.getMessage().contains("embeddings are not supported by chat-only"), e.getMessage());
    }

    @Test
    void models_refusesAsUnsupported_namingTheProvider() {
        LlmException e = assertThrows(LlmException.class, CHAT_ONLY::models);
        assertEquals(LlmException.Kind.UNSUPPORTED, e.kind());
        assertEquals("chat-only", e.provider());
        assertTrue(e.getMessage().contains("listing models is not supported by chat-only"), e.getMessage());
    }
}
