package dev.parley.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;

/** The built-in price table knows Bedrock's model ids, the defaults among them. */
class BedrockPricesTest {

    @Test
    void builtInTable_pricesTheDefaultModels_andClaudeOnBedrock() {
        PriceTable t = PriceTable.builtIn();
        ModelPrice nova = t.find("bedrock", "amazon.nova-lite-v1:0").orElseThrow();
        assertEquals(0.06, nova.input());
        assertEquals(0.24, nova.output());
        assertEquals(0.02, t.find("bedrock", "amazon.titan-embed-text-v2:0").orElseThrow().input());
        ModelPrice sonnet = t.find("bedrock", "anthropic.claude-sonnet-4-5-20250929-v1:0").orElseThrow();
        assertEquals(3.0, sonnet.input());
        assertEquals(0.3, sonnet.cachedInput());
        assertEquals(3.75, sonnet.cacheWrite());
        assertTrue(t.source().contains("pricing/bedrock.json"));
    }

    @Test
    void crossRegionInferenceProfiles_arePricedAsTheirModel() {
        PriceTable t = PriceTable.builtIn();
        ModelPrice direct = t.find("bedrock", "anthropic.claude-haiku-4-5-20251001-v1:0").orElseThrow();
        assertEquals(direct, t.find("bedrock", "us.anthropic.claude-haiku-4-5-20251001-v1:0").orElseThrow());
        assertEquals(direct, t.find("bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0").orElseThrow());
        assertEquals(0.06, t.find("bedrock", "eu.amazon.nova-lite-v1:0").orElseThrow().input());
        assertTrue(t.find("bedrock", "us-gov.anthropic.claude-haiku-4-5-20251001-v1:0").isEmpty(),
                "GovCloud is priced apart, and not listed");
        ModelPrice own = ModelPrice.of(9, 9);
        assertEquals(own, t.withPrice("bedrock", "us.amazon.nova-lite-v1:0", own)
                .find("bedrock", "us.amazon.nova-lite-v1:0").orElseThrow(), "a listed profile wins");
    }
}
