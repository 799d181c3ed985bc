package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UsageTest {

    @Test
    void negativeCount_isNamedInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Usage(1, -4, 0, 0, 0, 0));
        assertEquals("usage: outputTokens must not be negative, got -4", e.getMessage());
    }

    @Test
    void sumPastTheLargestLong_saysSo_notThatACountIsNegative() {
        IllegalArgumentException of = assertThrows(IllegalArgumentException.class, () -> Usage.of(Long.MAX_VALUE, 1));
        assertEquals("usage: token counts too large to add up (9223372036854775807 + 1)", of.getMessage());
        Usage big = new Usage(Long.MAX_VALUE, 0, Long.MAX_VALUE, 0, 0, 0);
        IllegalArgumentException plus = assertThrows(IllegalArgumentException.class, () -> big.plus(Usage.of(1, 0)));
        assertEquals("usage: token counts too large to add up (9223372036854775807 + 1)", plus.getMessage());
        assertEquals(new Usage(3, 5, 8, 1, 2, 3), new Usage(1, 2, 3, 1, 0, 1).plus(new Usage(2, 3, 5, 0, 2, 2)));
    }
}
