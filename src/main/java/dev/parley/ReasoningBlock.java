package dev.parley;

/**
 * A piece of the model's reasoning that must travel back to the provider on the next turn.
 *
 * <p>Anthropic's extended thinking returns thinking blocks with a {@code signature} (or
 * redacted blocks with opaque {@code data}) that must be sent back unchanged while a tool call is
 * in progress; DeepSeek returns {@code reasoning_content} text. Keeping the blocks in the
 * assistant {@link Message} lets the adapters send them back where the provider requires it.
 *
 * @param text         the reasoning text; empty for a redacted block
 * @param signature    the provider's signature over the text, or null
 * @param redactedData the opaque data of a redacted block, or null
 */
public record ReasoningBlock(String text, String signature, String redactedData) {

    /** Normalizes a null text to "". */
    public ReasoningBlock {
        text = text == null ? "" : text;
    }

    /**
     * {@return a plain reasoning text, as DeepSeek sends it}
     *
     * @param text the reasoning text
     */
    public static ReasoningBlock of(String text) {
        return new ReasoningBlock(text, null, null);
    }

    /** {@return whether this is a redacted block, whose content only the provider can read} */
    public boolean redacted() {
        return redactedData != null;
    }
}
