package dev.parley.provider.gemini;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

import dev.parley.ApiKey;
import dev.parley.ChatChunk;
import dev.parley.ToolCallDelta;
import dev.parley.http.FrameMapper;
import dev.parley.http.HttpErrors;
import dev.parley.http.SseEvent;
import dev.parley.json.JsonObject;

/**
 * Turns the events of one {@code streamGenerateContent?alt=sse} stream into chunks.
 *
 * <p>Each event is a whole {@code GenerateContentResponse} fragment. Its parts become chunks in
 * order, one per part, read as {@link GeminiDecoder} reads them: thought text as reasoning, a
 * thought signature as the reasoning signature, text, and each function call as a complete
 * tool-call fragment (Gemini does not split arguments), indexed by its position among the
 * stream's calls. The last chunk of an event carries the usage reported so far (Gemini reports
 * it whole each time) and the finish reason, if any.
 *
 * <p>Gemini sends no end marker: the event with a {@code finishReason} (or a prompt
 * {@code blockReason}) is the last one, and ends the stream. A body that ends before such an
 * event is a cut stream ({@link dev.parley.http.DecodingPublisher} reports it). An event holding
 * an {@code error} object fails the stream, after the chunks before it.
 *
 * <p>Holds the state of one stream: not thread-safe, used by one stream only.
 */
final class GeminiStreamMapper implements FrameMapper<SseEvent, ChatChunk> {

    private final String provider;
    private final String requestId;
    private final HttpHeaders headers;
    private final ApiKey key;
    private int calls;

    GeminiStreamMapper(String provider, HttpHeaders headers, ApiKey key) {
        this.provider = provider;
        this.requestId = HttpErrors.requestId(headers);
        this.headers = headers;
        this.key = key;
    }

    @Override
    public void map(SseEvent event, Output<ChatChunk> out) {
        JsonObject data = GeminiDecoder.object(event.parseJson());
        if (data.get("error").orElse(null) instanceof JsonObject) {
            throw HttpErrors.fromStreamError(provider, data, requestId, key);
        }
        String id = data.optString("responseId").orElse(null);
        String model = data.optString("modelVersion").orElse(null);
        List<ChatChunk.Builder> chunks = new ArrayList<>();
        JsonObject candidate = GeminiDecoder.candidate(data);
        calls = GeminiDecoder.parts(candidate, calls, new GeminiDecoder.PartSink() {
            @Override
            public void thought(String text) {
                chunks.add(ChatChunk.newBuilder().reasoningDelta(text));
            }

            @Override
            public void signature(String signature) {
                chunks.add(ChatChunk.newBuilder().reasoningSignature(signature));
            }

            @Override
            public void text(String text) {
                chunks.add(ChatChunk.newBuilder().textDelta(text));
            }

            @Override
            public void call(int index, String callId, String name, String arguments) {
                chunks.add(ChatChunk.newBuilder().toolCalls(List.of(new ToolCallDelta(index, callId, name, arguments))));
            }
        });
        String raw = GeminiDecoder.rawFinish(data, candidate);
        JsonObject usage = data.optObject("usageMetadata").orElse(null);
        if (chunks.isEmpty() && (raw != null || usage != null)) {
            chunks.add(ChatChunk.newBuilder());
        }
        if (!chunks.isEmpty()) {
            ChatChunk.Builder last = chunks.get(chunks.size() - 1);
            if (usage != null) {
                last.usage(GeminiDecoder.usage(usage));
            }
            if (raw != null) {
                last.finishReason(GeminiDecoder.finish(raw, calls > 0)).rawFinishReason(raw);
            }
        }
        for (ChatChunk.Builder b : chunks) {
            out.emit(b.id(id).model(model).requestId(requestId).headers(headers).provider(provider).raw(data).build());
        }
        if (raw != null) {
            out.end();
        }
    }
}
