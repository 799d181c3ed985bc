package dev.parley;

import java.util.List;

import dev.parley.json.JsonObject;

/**
 * One piece of a streamed chat completion. Most chunks carry a little text; others carry
 * reasoning, tool-call fragments, the finish reason or the usage. {@link ChunkCollector} adds
 * them up into the {@link ChatResponse} the non-streaming call would have returned.
 *
 * @param textDelta          more of the answer; "" when none
 * @param reasoningDelta     more of the reasoning; "" when none
 * @param reasoningSignature the signature that closes the current reasoning block (Anthropic); null otherwise
 * @param redactedReasoning  the data of a redacted reasoning block (Anthropic); null otherwise
 * @param toolCalls          tool-call fragments; empty when none
 * @param finishReason       why the model stopped, on the chunk that says so; null otherwise
 * @param rawFinishReason    the provider's own word for it; null otherwise
 * @param refusalDelta       more of a refusal (OpenAI); "" when none
 * @param usage              token counts so far for the whole call, on chunks that carry them; null otherwise
 * @param id                 the provider's id for the completion; may be null
 * @param model              the model, as the provider names it; may be null
 * @param requestId          the request id from the response headers; may be null
 * @param raw                the provider's event as JSON; null for chunks made by Parley
 */
public record ChatChunk(String textDelta, String reasoningDelta, String reasoningSignature, String redactedReasoning,
                        List<ToolCallDelta> toolCalls, FinishReason finishReason, String rawFinishReason,
                        String refusalDelta, Usage usage, String id, String model, String requestId, JsonObject raw) {

    /** Normalizes nulls to empty values and copies the list. */
    public ChatChunk {
        textDelta = textDelta == null ? "" : textDelta;
        reasoningDelta = reasoningDelta == null ? "" : reasoningDelta;
        refusalDelta = refusalDelta == null ? "" : refusalDelta;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /**
     * {@return a chunk with just text}
     *
     * @param text the text the chunk carries
     */
    public static ChatChunk ofText(String text) {
        return new ChatChunk(text, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** {@return whether the chunk carries no content, finish reason or usage (metadata only)} */
    public boolean isEmpty() {
        return textDelta.isEmpty() && reasoningDelta.isEmpty() && reasoningSignature == null
                && redactedReasoning == null && toolCalls.isEmpty() && finishReason == null
                && rawFinishReason == null && refusalDelta.isEmpty() && usage == null;
    }
}
