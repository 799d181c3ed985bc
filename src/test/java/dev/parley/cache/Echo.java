package dev.parley.cache;

import java.util.ArrayList;
import java.util.List;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.Embedding;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.Usage;
import dev.parley.testing.ScriptedProvider;

/** What the cache tests' provider answers: an echo of the last message, and vectors the codec must keep exactly. */
final class Echo {

    private Echo() {
    }

    /** {@return a provider named {@code name} that echoes chats and streams, embeds with {@link #vectors}, lists one model} */
    static ScriptedProvider provider(String name) {
        return ScriptedProvider.newBuilder(name).answer(Echo::answer).embed(Echo::vectors)
                .models(List.of(new ModelInfo("m1", null, 0, null))).build();
    }

    /** {@return an answer that echoes the last message} */
    static ChatResponse answer(ChatRequest r) {
        String last = r.messages().get(r.messages().size() - 1).text();
        return ChatResponse.newBuilder().provider("fake").model(r.model()).id("resp-1")
                .text("echo: " + last).finishReason("stop").usage(Usage.of(10, 5)).build();
    }

    /** {@return vectors with a huge, a tiny and a negative component, and the input's length} */
    static EmbeddingResponse vectors(EmbeddingRequest r) {
        List<Embedding> out = new ArrayList<>();
        for (int i = 0; i < r.inputs().size(); i++) {
            float[] v = {i, 0.1f, -1.5e-7f, Float.MAX_VALUE, r.inputs().get(i).length()};
            out.add(new Embedding(i, v));
        }
        return new EmbeddingResponse(r.model(), "fake", out, Usage.of(3, 0), "req-e");
    }
}
