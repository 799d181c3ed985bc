package dev.parley.route;

import static dev.parley.spi.Chain.Operation.CHAT;
import static dev.parley.spi.Chain.Operation.STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.LlmException.Kind;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.support.TestSubscriber;
import dev.parley.testing.ManualTicker;
import dev.parley.testing.ScriptedProvider;

class WeightedRouterTest {

    private static final ChatRequest REQUEST = ChatRequest.of("gpt-4o", "hi");

    private static LlmException error(Kind kind, String provider) {
        return LlmException.newBuilder(kind).provider(provider).statusCode(0).build();
    }

    @Test
    void builder_invalidRoutes_throwNamingParameter() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> WeightedRouter.newBuilder().route(ScriptedProvider.newBuilder("a").build(), 0));
        assertEquals("weight must be from 1 to 1000000, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightedRouter.newBuilder().build());
        assertThrows(IllegalArgumentException.class, () -> WeightedRouter.newBuilder().name(""));
    }

    @Test
    void chat_tenThousandCallsWithSeededRandom_followTheWeights() {
        ScriptedProvider a = ScriptedProvider.newBuilder("east").reply("a").build();
        ScriptedProvider b = ScriptedProvider.newBuilder("west").reply("b").build();
        ScriptedProvider c = ScriptedProvider.newBuilder("north").reply("c").build();
        WeightedRouter router = WeightedRouter.newBuilder()
                .route(a, 1).route(b, 3).route(c, 6).random(new Random(20250101)).build();

        for (int i = 0; i < 10_000; i++) {
            router.chat(REQUEST);
        }

        assertEquals(10_000, a.calls(CHAT) + b.calls(CHAT) + c.calls(CHAT));
        // Binomial standard deviations are 30, 46 and 49 calls: 250 is more than 5 of them.
        assertEquals(1_000, a.calls(CHAT), 250);
        assertEquals(3_000, b.calls(CHAT), 250);
        assertEquals(6_000, c.calls(CHAT), 250);
        assertEquals(List.of(
                new WeightedRouter.TargetStats("east#1", 1, a.calls(CHAT), 0, 0),
                new WeightedRouter.TargetStats("west#2", 3, b.calls(CHAT), 0, 0),
                new WeightedRouter.TargetStats("north#3", 6, c.calls(CHAT), 0, 0)), router.stats().targets());
    }

    @Test
    void chat_sameSeed_sameChoices() {
        List<String> first = choices(new Random(7));
        List<String> second = choices(new Random(7));
        assertEquals(first, second);
        assertTrue(first.stream().distinct().count() > 1);
    }

    private static List<String> choices(Random random) {
        WeightedRouter router = WeightedRouter.newBuilder()
                .route(ScriptedProvider.newBuilder("a").reply("a").build(), 2)
                .route(ScriptedProvider.newBuilder("b").reply("b").build(), 5)
                .random(random).build();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            out.add(router.chat(REQUEST).provider());
        }
        return out;
    }

    @Test
    void chat_chosenTargetUnavailable_failsOverAndNamesTheOneThatAnswered() {
        ScriptedProvider down = ScriptedProvider.newBuilder("east").fail(error(Kind.UNAVAILABLE, "east")).build();
        ScriptedProvider up = ScriptedProvider.newBuilder("west").reply("ok").build();
        WeightedRouter router = WeightedRouter.newBuilder().route(down, 1_000_000).route(up, 1)
                .random(new Random(1)).build();

        ChatResponse r = router.chat(REQUEST);

        assertEquals("west", r.provider());
        assertEquals(1, down.calls(CHAT));
        assertEquals(new WeightedRouter.TargetStats("east#1", 1_000_000, 1, 1, 0), router.stats().targets().get(0));
    }

    @Test
    void chat_invalidRequest_isNotFailedOver() {
        LlmException invalid = error(Kind.INVALID_REQUEST, "east");
        ScriptedProvider east = ScriptedProvider.newBuilder("east").fail(invalid).build();
        ScriptedProvider west = ScriptedProvider.newBuilder("west").reply("never").build();
        WeightedRouter router = WeightedRouter.newBuilder().route(east, 1_000_000).route(west, 1)
                .random(new Random(1)).build();

        assertSame(invalid, assertThrows(LlmException.class, () -> router.chat(REQUEST)));
        assertEquals(0, west.calls(CHAT));
    }

    @Test
    void chat_targetWithOpenCircuit_isSkipped() {
        ManualTicker time = ManualTicker.autoAdvancing();
        ScriptedProvider east = ScriptedProvider.newBuilder("east").fail(error(Kind.SERVER_ERROR, "east")).build();
        ScriptedProvider west = ScriptedProvider.newBuilder("west").reply("west").build();
        CircuitBreaker eastBreaker = CircuitBreaker.newBuilder().failureThreshold(1).ticker(time).build();
        WeightedRouter router = WeightedRouter.newBuilder().route(east, 1_000_000, eastBreaker).route(west, 1)
                .random(new Random(3)).build();

        router.chat(REQUEST); // east fails (opening its circuit), west answers
        assertEquals(CircuitBreaker.State.OPEN, eastBreaker.state());
        for (int i = 0; i < 100; i++) {
            assertEquals("west", router.chat(REQUEST).provider());
        }

        assertEquals(1, east.calls(CHAT));
        assertEquals(new WeightedRouter.TargetStats("east#1", 1_000_000, 1, 1, 100), router.stats().targets().get(0));

        time.advance(Duration.ofSeconds(30)); // half-open: east gets a probe again
        router.chat(REQUEST);
        assertEquals(2, east.calls(CHAT));
    }

    @Test
    void chat_everyCircuitOpen_failsAtOnce() {
        ScriptedProvider east = ScriptedProvider.newBuilder("east").fail(error(Kind.UNAVAILABLE, "east")).build();
        CircuitBreaker breaker = CircuitBreaker.newBuilder().failureThreshold(1).build();
        WeightedRouter router = WeightedRouter.newBuilder().name("gpt-pool").route(east, 1, breaker).build();
        assertEquals(Kind.UNAVAILABLE, assertThrows(LlmException.class, () -> router.chat(REQUEST)).kind());

        LlmException e = assertThrows(LlmException.class, () -> router.chat(REQUEST));
        assertEquals(Kind.UNAVAILABLE, e.kind());

        assertEquals("gpt-pool: the circuit of every target (1) is open; the call was not sent", e.getMessage());
        assertEquals(1, east.calls(CHAT));
        TestSubscriber<ChatChunk> sub = new TestSubscriber<>(1);
        router.stream(REQUEST).subscribe(sub);
        assertEquals(Kind.UNAVAILABLE, assertInstanceOf(LlmException.class, sub.awaitError()).kind());
    }

    @Test
    void stream_chosenTargetFailsBeforeFirstChunk_failsOver() {
        ScriptedProvider east = ScriptedProvider.newBuilder("east").fail(error(Kind.NETWORK, "east")).build();
        ScriptedProvider west = ScriptedProvider.newBuilder("west")
                .chunks(List.of(ChatChunk.ofText("o"), ChatChunk.ofText("k"))).build();
        WeightedRouter router = WeightedRouter.newBuilder().route(east, 1_000_000).route(west, 1)
                .random(new Random(1)).build();

        ChatStream stream = router.stream(REQUEST);

        assertEquals("east", stream.provider(), "the stream was asked of the chosen target");
        ChatResponse r = stream.collect();
        assertEquals("ok", r.text());
        assertEquals("west", r.provider(), "the chunks name the target that answered, as chat() does");
        assertEquals(1, east.calls(STREAM));
    }

    @Test
    void embedAndModels_areRoutedWithFailover() {
        ScriptedProvider east = ScriptedProvider.newBuilder("east")
                .embed(r -> {
                    throw error(Kind.UNAVAILABLE, "east");
                })
                .models(() -> {
                    throw error(Kind.UNAVAILABLE, "east");
                }).build();
        ScriptedProvider west = ScriptedProvider.newBuilder("west")
                .embed(r -> new dev.parley.EmbeddingResponse("e", "west", List.of(), null, null))
                .models(() -> List.of(new ModelInfo("gpt-4o", null, 0, null))).build();
        WeightedRouter router = WeightedRouter.newBuilder().route(east, 1_000_000).route(west, 1)
                .random(new Random(1)).build();

        assertEquals("west", router.embed(EmbeddingRequest.of("e", List.of("x"))).provider());
        assertEquals("gpt-4o", router.models().get(0).id());
    }

    @Test
    void capabilities_areThoseEveryTargetHas() {
        Provider everything = ScriptedProvider.newBuilder("a").reply("x").build();
        Provider limited = ScriptedProvider.newBuilder("limited")
                .capabilities(EnumSet.of(Capability.CHAT, Capability.STREAMING)).build();
        WeightedRouter router = WeightedRouter.newBuilder().route(everything, 1).route(limited, 1).build();
        assertEquals(Set.of(Capability.CHAT, Capability.STREAMING), router.capabilities());
        assertEquals("router", router.name());
    }
}
