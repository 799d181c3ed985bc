package dev.parley.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.BudgetExceededException;
import dev.parley.ChatRequest;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.MetricsSnapshot;

/** Money reads the same everywhere: fixed notation, cents at least, four significant digits below. */
class MoneyTest {

    @Test
    void format_isFixedAndReadable() {
        assertEquals("$0.0000057", Money.format(5.7000000000000005E-6));
        assertEquals("0.0000057", Money.plain(5.7000000000000005E-6));
        assertEquals("$0.00", Money.format(0));
        assertEquals("$5.00", Money.format(5));
        assertEquals("$0.50", Money.format(0.5));
        assertEquals("$0.1235", Money.format(0.123456));
        assertEquals("$0.01235", Money.format(0.0123456));
        assertEquals("$1234.57", Money.format(1234.5678));
        assertEquals("$0.000000000001", Money.format(1e-12));
        assertEquals("-$0.25", Money.format(-0.25));
    }

    @Test
    void theBudgetMessage_showsATinyBudget() {
        CostPolicy policy = CostPolicy.newBuilder().budget(0.000002)
                .prices(PriceTable.empty().withPrice("p", "m", ModelPrice.of(10, 30))).build();
        LlmException e = assertThrows(BudgetExceededException.class, () -> policy.decorate(
                dev.parley.testing.ScriptedProvider.newBuilder("p").reply("hi").build())
                .chat(ChatRequest.newBuilder().model("m").addMessage(Message.user("hello")).maxTokens(100).build()));
        assertTrue(e.getMessage().contains("of the $0.000002 budget"), e.getMessage());
        assertFalse(e.getMessage().contains("E-"), e.getMessage());
    }

    @Test
    void toStrings_showMoneyAndArraysReadably() {
        MetricsSnapshot m = new MetricsSnapshot(1, 1, 0, Map.of(), 1, 0, 0, 10, 20, 5.7000000000000005E-6, new long[] {0, 1}, 1000);
        assertTrue(m.toString().contains("costUsd=$0.0000057"), m.toString());
        assertTrue(m.toString().contains("latencyBuckets=[0, 1]"), m.toString());
        assertFalse(m.toString().contains("[J@"), m.toString());
        m.latencyBuckets()[1] = 99;      // the caller's copy, not the snapshot's array
        assertEquals(1, m.latencyBuckets()[1]);
        assertEquals(new MetricsSnapshot(1, 1, 0, Map.of(), 1, 0, 0, 10, 20, 5.7000000000000005E-6, new long[] {0, 1}, 1000), m);
        CostSummary s = new CostSummary("p", "m", 1, 10, 0, 20, 5.7000000000000005E-6, true);
        assertTrue(s.toString().contains("cost=$0.0000057"), s.toString());
    }
}
