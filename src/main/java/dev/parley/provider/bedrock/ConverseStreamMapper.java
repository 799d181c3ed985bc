package dev.parley.provider.bedrock;

import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.parley.ChatChunk;
import dev.parley.LlmException;
import dev.parley.ToolCallDelta;
import dev.parley.Usage;
import dev.parley.http.EventStreamMessage;
import dev.parley.http.FrameMapper;
import dev.parley.http.HttpErrors;
import dev.parley.internal.Scrub;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/**
 * Turns the event-stream messages of one ConverseStream response into chunks.
 *
 * <p>Messages whose {@code :message-type} is {@code event} are read by {@code :event-type}:
 * <ul>
 * <li>{@code messageStart}: nothing to say yet (the role is always the assistant).</li>
 * <li>{@code contentBlockStart} with a {@code toolUse}: a tool-call fragment with the id and
 *     name, indexed by the content block index.</li>
 * <li>{@code contentBlockDelta}: {@code text} → text; {@code reasoningContent.text} →
 *     reasoning, {@code .signature} → the reasoning signature, {@code .redactedContent} →
 *     redacted reasoning; {@code toolUse.input} → more arguments.</li>
 * <li>{@code contentBlockStop}: for a tool call that got no argument text, {@code "{}"}.</li>
 * <li>{@code messageStop}: the stop reason. {@code metadata}: the usage.</li>
 * </ul>
 * The stream ends once both {@code messageStop} and {@code metadata} came (Bedrock sends the
 * metadata last; a stream without it counts as cut, since its usage is missing). Unknown events
 * and blocks are ignored.
 *
 * <p>{@code exception} messages ({@code :exception-type} such as {@code throttlingException},
 * {@code modelStreamErrorException}, {@code validationException},
 * {@code serviceUnavailableException}) fail the stream with an {@link LlmException} of the kind
 * the type names, after the chunks before it; {@code error} messages ({@code :error-code},
 * {@code :error-message}) fail it as a server error.
 *
 * <p>Holds the state of one stream: not thread-safe (a {@link dev.parley.http.DecodingPublisher}
 * calls it from one thread at a time).
 */
final class ConverseStreamMapper implements FrameMapper<EventStreamMessage, ChatChunk> {

    private final String provider;
    private final String model;
    private final String requestId;
    private final HttpHeaders headers;
    private final AwsCredentials credentials;
    /** Tool-use blocks by content block index: whether any argument text arrived yet. */
    private final Map<Integer, Boolean> toolBlocks = new HashMap<>();
    private boolean stopped;
    private boolean metadata;

    /**
     * Creates the mapper of one stream.
     *
     * @param provider the provider's name
     * @param model    the model asked for (the stream does not name it)
     * @param headers  the response headers
     * @param credentials whose secrets are scrubbed from error messages
     */
    ConverseStreamMapper(String provider, String model, HttpHeaders headers, AwsCredentials credentials) {
        this.provider = provider;
        this.model = model;
        this.requestId = HttpErrors.requestId(headers);
        this.headers = headers;
        this.credentials = credentials;
    }

    @Override
    public void map(EventStreamMessage message, Output<ChatChunk> out) {
        String type = message.header(":message-type");
        if ("exception".equals(type)) {
            throw exception(message);
        }
        if ("error".equals(type)) {
            throw credentials.scrub(LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(provider)
                    .errorCode(Scrub.controls(message.header(":error-code")))
                    .providerMessage(redact(message.header(":error-message")))
                    .message("the provider reported an error in the middle of the stream")
                    .requestId(requestId).build());
        }
        if (!"event".equals(type)) {
            return; // a message type added after this was written
        }
        String event = message.header(":event-type");
        if (event == null) {
            return;
        }
        JsonObject data = ConverseDecoder.object(Json.parse(message.payload()));
        switch (event) {
            case "contentBlockStart" -> {
                JsonObject start = data.optObject("start").orElse(JsonObject.of());
                if (start.has("toolUse")) {
                    int index = data.intValue("contentBlockIndex");
                    JsonObject use = start.object("toolUse");
                    toolBlocks.put(index, false);
                    out.emit(chunk(data).toolCalls(List.of(new ToolCallDelta(index, use.string("toolUseId"),
                            use.string("name"), ""))).build());
                }
            }
            case "contentBlockDelta" -> delta(data.intValue("contentBlockIndex"), data.object("delta"), data, out);
            case "contentBlockStop" -> {
                int index = data.intValue("contentBlockIndex");
                if (Boolean.FALSE.equals(toolBlocks.get(index))) {
                    out.emit(chunk(data).toolCalls(List.of(new ToolCallDelta(index, null, null, "{}"))).build());
                }
            }
            case "messageStop" -> {
                String stop = data.optString("stopReason").orElse(null);
                out.emit(chunk(data).finishReason(ConverseDecoder.finishReason(stop)).rawFinishReason(stop).build());
                stopped = true;
            }
            case "metadata" -> {
                Usage usage = ConverseDecoder.usage(data.optObject("usage").orElse(null));
                if (usage != null) {
                    out.emit(chunk(data).usage(usage).build());
                }
                metadata = true;
            }
            default -> {
                // messageStart, and events added after this was written.
            }
        }
        if (stopped && metadata) {
            out.end();
        }
    }

    private void delta(int index, JsonObject delta, JsonObject data, Output<ChatChunk> out) {
        if (delta.has("text")) {
            String text = delta.string("text");
            if (!text.isEmpty()) {
                out.emit(chunk(data).textDelta(text).build());
            }
        } else if (delta.has("reasoningContent")) {
            JsonObject r = delta.object("reasoningContent");
            if (r.has("text")) {
                String text = r.string("text");
                if (!text.isEmpty()) {
                    out.emit(chunk(data).reasoningDelta(text).build());
                }
            } else if (r.has("signature")) {
                out.emit(chunk(data).reasoningSignature(r.string("signature")).build());
            } else if (r.has("redactedContent")) {
                out.emit(chunk(data).redactedReasoning(r.string("redactedContent")).build());
            }
        } else if (delta.has("toolUse")) {
            String input = delta.object("toolUse").string("input");
            if (toolBlocks.containsKey(index) && !input.isEmpty()) {
                toolBlocks.put(index, true);
                out.emit(chunk(data).toolCalls(List.of(new ToolCallDelta(index, null, null, input))).build());
            }
        }
    }

    private LlmException exception(EventStreamMessage message) {
        String type = Scrub.controls(message.header(":exception-type"));
        String text;
        try {
            text = ConverseDecoder.object(Json.parse(message.payload())).optString("message").orElse(null);
        } catch (RuntimeException notJson) {
            text = null;
        }
        JsonObject.Builder error = JsonObject.newBuilder();
        if (type != null) {
            error.put("type", type);
        }
        if (text != null) {
            error.put("message", JsonString.of(text));
        }
        return credentials.scrub(HttpErrors.fromStreamError(provider, error.build(), requestId, credentials.scrubbed()));
    }

    private String redact(String text) {
        return Scrub.controls(credentials.scrubbed().redact(text));
    }

    private ChatChunk.Builder chunk(JsonObject raw) {
        return ChatChunk.newBuilder().model(model).requestId(requestId).headers(headers).provider(provider).raw(raw);
    }
}
