package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

class ApiKeysTest {

    private final ApiKeys keys = ApiKeys.of(Set.of("sk-gw-key"));

    @Test
    void theExactKeyPasses_inAnyCaseOfTheScheme() {
        assertTrue(keys.accepts("Bearer sk-gw-key"));
        assertTrue(keys.accepts("bearer sk-gw-key"));
    }

    @Test
    void aKeyWithControlCharactersOrSpacesAroundIt_isNotTheKey() {
        for (String suffix : new String[] {"\u0000", "\u0001", "\t", "\u001f", " ", "\u007f"}) {
            assertFalse(keys.accepts("Bearer sk-gw-key" + suffix), () -> "suffix U+" + (int) suffix.charAt(0));
            assertFalse(keys.accepts("Bearer " + suffix + "sk-gw-key"), () -> "prefix U+" + (int) suffix.charAt(0));
        }
        assertFalse(keys.accepts("Bearer  sk-gw-key"), "two spaces after the scheme");
        assertFalse(keys.accepts("Bearer sk-gw-ke"));
        assertFalse(keys.accepts("Bearer "));
        assertFalse(keys.accepts(null));
    }
}
