package dev.parley.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.parley.BudgetExceededException;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.Usage;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

class CostPolicyTest {

    private static final PriceTable PRICES = PriceTable.empty().withPrice("fake", "m", ModelPrice.of(1.0, 2.0));

    private static ChatResponse answer(long in, long out) {
        return ChatResponse.newBuilder().provider("fake").model("m").text("x").usage(Usage.of(in, out)).build();
    }

    @Test
    void builtInTable_hasDateSourceAndCurrentModels() {
        PriceTable t = PriceTable.builtIn();
        assertEquals("2026-08-21", t.asOf());
        assertTrue(t.source().contains("Portkey-AI/models"));
        ModelPrice sonnet = t.find("anthropic", "claude-sonnet-4-5").orElseThrow();
        assertEquals(3.0, sonnet.input());
        assertEquals(15.0, sonnet.output());
        assertEquals(0.3, sonnet.cachedInput());
        assertTrue(t.find("deepseek", "deepseek-chat").isPresent());
        assertTrue(t.find("openai", "gpt-4o-mini").isPresent());
        assertEquals(ModelPrice.FREE, t.find("ollama", "llama3.2").orElseThrow());
        assertTrue(t.find("openai", "no-such-model-xyz").isEmpty());
    }

    @Test
    void find_stripsDateSuffixesAndProviderPrefixes() {
        PriceTable t = PriceTable.empty().withPrice("openai", "gpt-4o", ModelPrice.of(2.5, 10));
        assertEquals(2.5, t.find("openai", "gpt-4o-2024-08-06").orElseThrow().input());
        assertEquals(2.5, t.find("openai", "openai/gpt-4o").orElseThrow().input());
        assertEquals(2.5, t.find("azure-openai", "gpt-4o").orElseThrow().input());
    }

    @Test
    void cost_chargesCachedAndWrittenTokensAtTheirRates() {
        ModelPrice p = new ModelPrice(3.0, 15.0, 0.3, 3.75);
        Usage u = new Usage(1_000_000, 100_000, 1_100_000, 200_000, 100_000, 0);
        // 700k plain at $3, 200k cached at $0.30, 100k written at $3.75, 100k output at $15
        assertEquals(2.1 + 0.06 + 0.375 + 1.5, p.cost(u), 1e-9);
        assertEquals(1.0, ModelPrice.of(1.0, 2.0).cost(Usage.of(1_000_000, 0)), 1e-12);
    }

    @Test
    void tracker_pricesSummedUsageAsTheSumOfEachCallsCost() {
        // Usage is priced when costs are read, from each line's summed tokens; the cached and
        // cache-write parts are clamped per call, so the total is still the calls' costs added up.
        ModelPrice p = new ModelPrice(3.0, 15.0, 0.3, 3.75);
        CostTracker t = new CostTracker(PriceTable.empty().withPrice("fake", "m", p));
        List<Usage> calls = List.of(new Usage(1_000, 100, 1_100, 200, 100, 0), new Usage(50, 10, 60, 80, 0, 0),
                new Usage(500, 5, 505, 100, 900, 0), Usage.of(7, 3));
        double expected = 0;
        for (Usage u : calls) {
            expected += t.record("fake", "m", u);
            t.add("fake", "unpriced", u);
        }
        assertEquals(calls.stream().mapToDouble(p::cost).sum(), expected, 1e-15);
        assertEquals(expected, t.totalCost(), 1e-15);
        CostSummary priced = t.summary().get(0);
        assertEquals(expected, priced.cost(), 1e-15);
        assertEquals(4, priced.calls());
        assertEquals(380, priced.cachedInputTokens());
        CostSummary unpriced = t.summary().get(1);
        assertEquals("unpriced", unpriced.model());
        assertEquals(0.0, unpriced.cost());
        assertFalse(unpriced.priced());
    }

    @Test
    void chat_isPricedIntoTheTracker() {
        CostPolicy policy = CostPolicy.newBuilder().prices(PRICES).build();
        Provider p = policy.decorate(ScriptedProvider.newBuilder("fake").reply(answer(1000, 500)).build());
        p.chat(ChatRequest.of("m", "hi"));
        assertEquals(0.002, policy.tracker().totalCost(), 1e-12);
        CostSummary s = policy.tracker().summary().get(0);
        assertEquals(1, s.calls());
        assertEquals(1000, s.inputTokens());
        assertEquals(500, s.outputTokens());
        assertTrue(s.priced());
    }

    @Test
    void budget_refusesBeforeAnyRequestIsSent() {
        ScriptedProvider fake = ScriptedProvider.newBuilder("fake").reply(answer(10, 10)).build();
        CostPolicy policy = CostPolicy.newBuilder().prices(PRICES).budget(0.001).build();
        Provider p = policy.decorate(fake);
        // worst case: ~2 prompt tokens at $1/M + 1000 output tokens at $2/M = $0.002 > $0.001
        ChatRequest big = ChatRequest.newBuilder().model("m").addMessage(dev.parley.Message.user("hi")).maxTokens(1000).build();
        BudgetExceededException e = assertThrows(BudgetExceededException.class, () -> p.chat(big));
        assertTrue(e.getMessage().contains("budget"), e.getMessage());
        assertEquals(0, fake.requests().size(), "nothing was sent");
        ChatRequest small = ChatRequest.newBuilder().model("m").addMessage(dev.parley.Message.user("hi")).maxTokens(100).build();
        p.chat(small);
        assertEquals(1, fake.requests().size());
    }

    @Test
    void budget_holdsUnderConcurrency() throws Exception {
        ScriptedProvider fake = ScriptedProvider.newBuilder("fake").reply(answer(0, 1000)).build();
        CostPolicy policy = CostPolicy.newBuilder().prices(PRICES).budget(0.0205).build();
        Provider p = policy.decorate(fake);
        ChatRequest r = ChatRequest.newBuilder().model("m").addMessage(dev.parley.Message.user("x")).maxTokens(1000).build();
        List<Future<Boolean>> results = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) {
                results.add(ex.submit(() -> {
                    try {
                        p.chat(r);
                        return true;
                    } catch (BudgetExceededException e) {
                        return false;
                    }
                }));
            }
        }
        long ok = 0;
        for (Future<Boolean> f : results) {
            ok += f.get() ? 1 : 0;
        }
        // each call costs $0.002 and reserves a little more: never more than 10 fit in $0.0205
        assertTrue(ok <= 10 && ok >= 1, "calls let through: " + ok);
        assertTrue(policy.tracker().totalCost() <= 0.0205, "spent " + policy.tracker().totalCost());
        assertEquals(ok, fake.requests().size());
    }

    @Test
    void stream_isPricedWhenItCompletes_andReleasesItsReservation() {
        CostPolicy policy = CostPolicy.newBuilder().prices(PRICES).budget(1.0).build();
        Provider p = policy.decorate(ScriptedProvider.newBuilder("fake").reply(answer(1000, 1000)).build());
        ChatStream s = p.stream(ChatRequest.newBuilder().model("m").addMessage(dev.parley.Message.user("x")).maxTokens(50_000).build());
        assertTrue(policy.remaining() < 0.9, "the worst case is reserved while the stream is open");
        assertEquals("x", s.collect().text());
        assertEquals(0.003, policy.tracker().totalCost(), 1e-12);
        assertEquals(1.0 - 0.003, policy.remaining(), 1e-9);
    }

    @Test
    void unknownModel_isCountedButNotPriced() {
        CostPolicy policy = CostPolicy.newBuilder().prices(PriceTable.empty()).budget(0.01).build();
        Provider p = policy.decorate(ScriptedProvider.newBuilder("fake").reply(answer(5, 5)).build());
        p.chat(ChatRequest.of("m", "hi"));
        assertEquals(0.0, policy.tracker().totalCost());
        assertFalse(policy.tracker().summary().get(0).priced());
    }

    @Test
    void builder_rejectsAbsurdValues() {
        assertThrows(IllegalArgumentException.class, () -> CostPolicy.newBuilder().budget(0));
        assertThrows(IllegalArgumentException.class, () -> CostPolicy.newBuilder().budget(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> CostPolicy.newBuilder().defaultMaxTokens(0));
        assertThrows(IllegalArgumentException.class, () -> ModelPrice.of(-1, 0));
    }
}
