package dev.parley;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Objects;

import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * One piece of a streamed chat completion. Most chunks carry a little text; others carry
 * reasoning, tool-call fragments, the finish reason or the usage. {@link ChunkCollector} adds
 * them up into the {@link ChatResponse} the non-streaming call would have returned.
 *
 * <p>Build one with {@link #newBuilder()}. The provider's event ({@link #raw()}) is kept as the
 * bytes that arrived and parsed into a {@link JsonObject} only when first asked for, so a stream
 * read for its text never pays for a JSON tree of each event. Chunks are immutable and
 * thread-safe; two chunks are equal when all their values, {@code raw} included, are equal
 * ({@link #headers()} and {@link #provider()} aside: they say where the chunk came from, not what
 * it says).
 */
public final class ChatChunk {

    private static final VarHandle RAW;

    static {
        try {
            RAW = MethodHandles.lookup().findVarHandle(ChatChunk.class, "raw", JsonObject.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String textDelta;
    private final String reasoningDelta;
    private final String reasoningSignature;
    private final String redactedReasoning;
    private final List<ToolCallDelta> toolCalls;
    private final FinishReason finishReason;
    private final String rawFinishReason;
    private final String refusalDelta;
    private final Usage usage;
    private final String id;
    private final String model;
    private final String requestId;
    private final HttpHeaders headers;
    private final String provider;
    /** The event as UTF-8 JSON, parsed on the first call of {@link #raw()}; null when {@code raw} was given. */
    private final byte[] rawUtf8;
    @SuppressWarnings("unused") // set through RAW
    private volatile JsonObject raw;

    private ChatChunk(Builder b) {
        textDelta = b.textDelta == null ? "" : b.textDelta;
        reasoningDelta = b.reasoningDelta == null ? "" : b.reasoningDelta;
        reasoningSignature = b.reasoningSignature;
        redactedReasoning = b.redactedReasoning;
        toolCalls = b.toolCalls == null ? List.of() : List.copyOf(b.toolCalls);
        finishReason = b.finishReason;
        rawFinishReason = b.rawFinishReason;
        refusalDelta = b.refusalDelta == null ? "" : b.refusalDelta;
        usage = b.usage;
        id = b.id;
        model = b.model;
        requestId = b.requestId;
        headers = b.headers;
        provider = b.provider;
        rawUtf8 = b.raw == null ? b.rawUtf8 : null;
        raw = b.raw;
    }

    /** {@return a builder of a chunk that carries nothing yet} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * {@return a chunk with just text}
     *
     * @param text the text the chunk carries
     */
    public static ChatChunk ofText(String text) {
        return newBuilder().textDelta(text).build();
    }

    /** {@return a builder holding this chunk's values, to make a changed copy} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.textDelta = textDelta;
        b.reasoningDelta = reasoningDelta;
        b.reasoningSignature = reasoningSignature;
        b.redactedReasoning = redactedReasoning;
        b.toolCalls = toolCalls;
        b.finishReason = finishReason;
        b.rawFinishReason = rawFinishReason;
        b.refusalDelta = refusalDelta;
        b.usage = usage;
        b.id = id;
        b.model = model;
        b.requestId = requestId;
        b.headers = headers;
        b.provider = provider;
        b.raw = rawUtf8 == null ? raw() : null;
        b.rawUtf8 = rawUtf8;
        return b;
    }

    /** {@return more of the answer; "" when none} */
    public String textDelta() {
        return textDelta;
    }

    /** {@return more of the reasoning; "" when none} */
    public String reasoningDelta() {
        return reasoningDelta;
    }

    /** {@return the signature that closes the current reasoning block (Anthropic); null otherwise} */
    public String reasoningSignature() {
        return reasoningSignature;
    }

    /** {@return the data of a redacted reasoning block (Anthropic); null otherwise} */
    public String redactedReasoning() {
        return redactedReasoning;
    }

    /** {@return the tool-call fragments; empty when none} */
    public List<ToolCallDelta> toolCalls() {
        return toolCalls;
    }

    /** {@return why the model stopped, on the chunk that says so; null otherwise} */
    public FinishReason finishReason() {
        return finishReason;
    }

    /** {@return the provider's own word for why the model stopped; null otherwise} */
    public String rawFinishReason() {
        return rawFinishReason;
    }

    /** {@return more of a refusal (OpenAI); "" when none} */
    public String refusalDelta() {
        return refusalDelta;
    }

    /** {@return the token counts so far for the whole call, on chunks that carry them; null otherwise} */
    public Usage usage() {
        return usage;
    }

    /** {@return the provider's id for the completion; may be null} */
    public String id() {
        return id;
    }

    /** {@return the model, as the provider names it; may be null} */
    public String model() {
        return model;
    }

    /** {@return the request id from the response headers; may be null} */
    public String requestId() {
        return requestId;
    }

    /**
     * {@return the HTTP response headers of the stream this chunk came in, or null} Parley's
     * adapters set them on every chunk they make (the same object for the whole stream), so that
     * a layer such as the rate limiter can follow the provider's rate-limit headers; a chunk from
     * the cache or a test double has none.
     */
    public HttpHeaders headers() {
        return headers;
    }

    /**
     * {@return the name of the provider that sent this chunk, or null} Parley's adapters set it
     * on every chunk, so that through a fallback or a router the reader knows which provider
     * answered.
     */
    public String provider() {
        return provider;
    }

    /**
     * {@return the provider's event as JSON; null for chunks made by Parley} The event is parsed
     * on the first call; later calls return the same object.
     *
     * @throws dev.parley.json.JsonParseException  if the text given to {@link Builder#rawJson} is not JSON
     * @throws dev.parley.json.JsonAccessException if it is JSON but not an object
     */
    public JsonObject raw() {
        JsonObject r = raw;
        if (r != null || rawUtf8 == null) {
            return r;
        }
        JsonValue v = Json.parse(rawUtf8);
        if (!(v instanceof JsonObject o)) {
            throw new JsonAccessException("", "expected an object, got " + v.kind());
        }
        JsonObject won = (JsonObject) RAW.compareAndExchange(this, (JsonObject) null, o);
        return won == null ? o : won;
    }

    /** {@return whether the chunk carries no content, finish reason or usage (metadata only)} */
    public boolean isEmpty() {
        return textDelta.isEmpty() && reasoningDelta.isEmpty() && reasoningSignature == null
                && redactedReasoning == null && toolCalls.isEmpty() && finishReason == null
                && rawFinishReason == null && refusalDelta.isEmpty() && usage == null;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ChatChunk c && textDelta.equals(c.textDelta)
                && reasoningDelta.equals(c.reasoningDelta)
                && Objects.equals(reasoningSignature, c.reasoningSignature)
                && Objects.equals(redactedReasoning, c.redactedReasoning) && toolCalls.equals(c.toolCalls)
                && finishReason == c.finishReason && Objects.equals(rawFinishReason, c.rawFinishReason)
                && refusalDelta.equals(c.refusalDelta) && Objects.equals(usage, c.usage)
                && Objects.equals(id, c.id) && Objects.equals(model, c.model)
                && Objects.equals(requestId, c.requestId) && Objects.equals(raw(), c.raw());
    }

    @Override
    public int hashCode() {
        return Objects.hash(textDelta, reasoningDelta, reasoningSignature, redactedReasoning, toolCalls,
                finishReason, rawFinishReason, refusalDelta, usage, id, model, requestId, raw());
    }

    @Override
    public String toString() {
        return "ChatChunk[textDelta=" + textDelta + ", reasoningDelta=" + reasoningDelta
                + ", reasoningSignature=" + reasoningSignature + ", redactedReasoning=" + redactedReasoning
                + ", toolCalls=" + toolCalls + ", finishReason=" + finishReason
                + ", rawFinishReason=" + rawFinishReason + ", refusalDelta=" + refusalDelta
                + ", usage=" + usage + ", provider=" + provider + ", id=" + id + ", model=" + model + ", requestId=" + requestId
                + ", raw=" + raw() + "]";
    }

    /**
     * Builds a {@link ChatChunk}. Every value is optional: text, reasoning and refusal default to
     * "", tool calls to none, everything else to null. Not thread-safe.
     */
    public static final class Builder {

        private String textDelta;
        private String reasoningDelta;
        private String reasoningSignature;
        private String redactedReasoning;
        private List<ToolCallDelta> toolCalls;
        private FinishReason finishReason;
        private String rawFinishReason;
        private String refusalDelta;
        private Usage usage;
        private String id;
        private String model;
        private String requestId;
        private HttpHeaders headers;
        private String provider;
        private JsonObject raw;
        private byte[] rawUtf8;

        private Builder() {
        }

        /**
         * Sets more of the answer.
         *
         * @param text the text; null for none
         * @return this builder
         */
        public Builder textDelta(String text) {
            this.textDelta = text;
            return this;
        }

        /**
         * Sets more of the reasoning.
         *
         * @param reasoning the reasoning text; null for none
         * @return this builder
         */
        public Builder reasoningDelta(String reasoning) {
            this.reasoningDelta = reasoning;
            return this;
        }

        /**
         * Sets the signature that closes the current reasoning block (Anthropic).
         *
         * @param signature the signature; null for none
         * @return this builder
         */
        public Builder reasoningSignature(String signature) {
            this.reasoningSignature = signature;
            return this;
        }

        /**
         * Sets the data of a redacted reasoning block (Anthropic).
         *
         * @param data the data; null for none
         * @return this builder
         */
        public Builder redactedReasoning(String data) {
            this.redactedReasoning = data;
            return this;
        }

        /**
         * Sets the tool-call fragments; the list is copied when the chunk is built.
         *
         * @param toolCalls the fragments; null for none
         * @return this builder
         */
        public Builder toolCalls(List<ToolCallDelta> toolCalls) {
            this.toolCalls = toolCalls;
            return this;
        }

        /**
         * Sets why the model stopped.
         *
         * @param reason the reason; null when the chunk does not say
         * @return this builder
         */
        public Builder finishReason(FinishReason reason) {
            this.finishReason = reason;
            return this;
        }

        /**
         * Sets the provider's own word for why the model stopped.
         *
         * @param reason the word; null when the chunk does not say
         * @return this builder
         */
        public Builder rawFinishReason(String reason) {
            this.rawFinishReason = reason;
            return this;
        }

        /**
         * Sets more of a refusal (OpenAI).
         *
         * @param refusal the refusal text; null for none
         * @return this builder
         */
        public Builder refusalDelta(String refusal) {
            this.refusalDelta = refusal;
            return this;
        }

        /**
         * Sets the token counts so far for the whole call.
         *
         * @param usage the counts; null when the chunk carries none
         * @return this builder
         */
        public Builder usage(Usage usage) {
            this.usage = usage;
            return this;
        }

        /**
         * Sets the provider's id for the completion.
         *
         * @param id the id; may be null
         * @return this builder
         */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /**
         * Sets the model, as the provider names it.
         *
         * @param model the model; may be null
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * Sets the request id from the response headers.
         *
         * @param requestId the request id; may be null
         * @return this builder
         */
        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /**
         * Sets the HTTP response headers of the stream.
         *
         * @param headers the headers; null for none
         * @return this builder
         */
        public Builder headers(HttpHeaders headers) {
            this.headers = headers;
            return this;
        }

        /**
         * Sets the name of the provider that sent the chunk.
         *
         * @param provider the provider's name, such as "openai"; null if unknown
         * @return this builder
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * Sets the provider's event, already parsed; replaces what {@link #rawJson} set.
         *
         * @param raw the event; null for a chunk made by Parley
         * @return this builder
         */
        public Builder raw(JsonObject raw) {
            this.raw = raw;
            this.rawUtf8 = null;
            return this;
        }

        /**
         * Sets the provider's event as the UTF-8 JSON text of an object, to be parsed when
         * {@link ChatChunk#raw()} is first called; replaces what {@link #raw(JsonObject)} set.
         * The array is kept, not copied: do not change it afterwards.
         *
         * @param utf8 the event's text; null for a chunk made by Parley
         * @return this builder
         */
        public Builder rawJson(byte[] utf8) {
            this.rawUtf8 = utf8;
            this.raw = null;
            return this;
        }

        /** {@return the chunk} */
        public ChatChunk build() {
            return new ChatChunk(this);
        }
    }
}
