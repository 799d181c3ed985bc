package dev.parley;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds up the chunks of a stream into the {@link ChatResponse} the non-streaming call returns:
 * text, reasoning blocks with their signatures, tool calls assembled from their fragments, the
 * finish reason and the last usage reported.
 *
 * {@snippet :
 * ChunkCollector collector = new ChunkCollector("openai");
 * for (ChatChunk chunk : stream) {
 *     collector.add(chunk);
 * }
 * ChatResponse response = collector.result();
 * }
 *
 * <p>Not thread-safe: feed it from one thread at a time (a {@code Flow.Subscriber} is).
 */
public final class ChunkCollector {

    private String provider;
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder refusal = new StringBuilder();
    private final List<ReasoningBlock> reasoning = new ArrayList<>();
    private final StringBuilder openReasoning = new StringBuilder();
    private final Map<Integer, PendingCall> calls = new LinkedHashMap<>();
    private String id;
    private String model;
    private String requestId;
    private String rawFinishReason;
    private FinishReason finishReason;
    private Usage usage;
    private int chunks;

    /**
     * Creates an empty collector.
     *
     * @param provider the provider name the result reports, unless the chunks name the one
     *                 that sent them ({@link ChatChunk#provider()}), as Parley's adapters do
     */
    public ChunkCollector(String provider) {
        this.provider = provider;
    }

    /**
     * Adds the next chunk.
     *
     * @param chunk the chunk
     */
    public void add(ChatChunk chunk) {
        chunks++;
        if (chunk.provider() != null) {
            provider = chunk.provider();
        }
        if (chunk.id() != null) {
            id = chunk.id();
        }
        if (chunk.model() != null) {
            model = chunk.model();
        }
        if (chunk.requestId() != null) {
            requestId = chunk.requestId();
        }
        text.append(chunk.textDelta());
        refusal.append(chunk.refusalDelta());
        if (!chunk.reasoningDelta().isEmpty()) {
            openReasoning.append(chunk.reasoningDelta());
        }
        if (chunk.reasoningSignature() != null) {
            reasoning.add(new ReasoningBlock(openReasoning.toString(), chunk.reasoningSignature(), null));
            openReasoning.setLength(0);
        }
        if (chunk.redactedReasoning() != null) {
            closeOpenReasoning();
            reasoning.add(new ReasoningBlock("", null, chunk.redactedReasoning()));
        }
        for (ToolCallDelta d : chunk.toolCalls()) {
            PendingCall call = calls.computeIfAbsent(d.index(), i -> new PendingCall());
            if (d.id() != null && !d.id().isEmpty()) {
                call.id = d.id();
            }
            if (d.name() != null && !d.name().isEmpty()) {
                call.name = d.name();
            }
            call.arguments.append(d.argumentsDelta());
        }
        if (chunk.rawFinishReason() != null) {
            rawFinishReason = chunk.rawFinishReason();
        }
        if (chunk.finishReason() != null) {
            finishReason = chunk.finishReason();
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
    }

    private void closeOpenReasoning() {
        if (!openReasoning.isEmpty()) {
            reasoning.add(ReasoningBlock.of(openReasoning.toString()));
            openReasoning.setLength(0);
        }
    }

    /** {@return how many chunks were added} */
    public int chunkCount() {
        return chunks;
    }

    /** {@return the response the chunks so far add up to} */
    public ChatResponse result() {
        List<ReasoningBlock> blocks = new ArrayList<>(reasoning);
        if (!openReasoning.isEmpty()) {
            blocks.add(ReasoningBlock.of(openReasoning.toString()));
        }
        List<ToolCall> toolCalls = new ArrayList<>(calls.size());
        calls.forEach((index, call) -> toolCalls.add(new ToolCall(
                call.id != null ? call.id : "call_" + index,
                call.name != null ? call.name : "",
                call.arguments.toString())));
        return new ChatResponse(id, model, provider, text.toString(), blocks, toolCalls, finishReason,
                rawFinishReason, refusal.isEmpty() ? null : refusal.toString(),
                usage, requestId, null, null);
    }

    private static final class PendingCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
