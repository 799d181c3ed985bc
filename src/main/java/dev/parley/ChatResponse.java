package dev.parley;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.parley.json.JsonObject;

/**
 * A chat completion, in one shape for every provider.
 *
 * <p>To continue the conversation, append {@link #message()}: it carries the text, the tool
 * calls and the reasoning that the provider needs to see again on the next turn.
 *
 * @param id              the provider's id for the completion; may be null
 * @param model           the model that answered, as the provider names it
 * @param provider        the name of the provider that answered, such as "openai"
 * @param text            the answer's text; "" when there is none (only tool calls, or a refusal)
 * @param reasoning       the model's reasoning (DeepSeek {@code reasoning_content}, Anthropic
 *                        thinking blocks); empty when none was returned
 * @param toolCalls       tool calls the model asks for; empty when none
 * @param finishReason    why the model stopped, normalized; null when the provider did not say
 * @param rawFinishReason the provider's own word for why it stopped; null when not given
 * @param refusal         the refusal text when the model declined (OpenAI structured outputs); null otherwise
 * @param usage           token counts; {@link Usage#ZERO} when not reported
 * @param requestId       the provider's request id from the response headers, for support; may be null
 * @param headers         the HTTP response headers; empty when there were none (a cached or scripted response)
 * @param raw             the response body as JSON, with every field the provider sent; null for a
 *                        response assembled from a stream
 */
public record ChatResponse(String id, String model, String provider, String text, List<ReasoningBlock> reasoning,
                           List<ToolCall> toolCalls, FinishReason finishReason, String rawFinishReason,
                           String refusal, Usage usage, String requestId, HttpHeaders headers, JsonObject raw) {

    static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (a, b) -> true);

    /** Validates the response and copies its lists. */
    public ChatResponse {
        text = text == null ? "" : text;
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        usage = usage == null ? Usage.ZERO : usage;
        headers = headers == null ? NO_HEADERS : headers;
        Objects.requireNonNull(provider, "provider");
    }

    /** {@return the reasoning texts joined together; "" when there is none} */
    public String reasoningText() {
        StringBuilder sb = new StringBuilder();
        for (ReasoningBlock b : reasoning) {
            sb.append(b.text());
        }
        return sb.toString();
    }

    /** {@return the answer as an assistant message, with tool calls and reasoning, to append to the conversation} */
    public Message message() {
        return Message.assistant(text, toolCalls).withReasoning(reasoning);
    }

    /**
     * {@return a copy with other headers and request id}
     *
     * @param headers the HTTP response headers
     * @param requestId the provider's request id, or null
     */
    public ChatResponse withHeaders(HttpHeaders headers, String requestId) {
        return new ChatResponse(id, model, provider, text, reasoning, toolCalls, finishReason, rawFinishReason,
                refusal, usage, requestId, headers, raw);
    }

    /**
     * {@return a copy naming another provider, as a fallback or router does}
     *
     * @param provider the name of the provider that answered
     */
    public ChatResponse withProvider(String provider) {
        return new ChatResponse(id, model, provider, text, reasoning, toolCalls, finishReason, rawFinishReason,
                refusal, usage, requestId, headers, raw);
    }

    /** {@return a new builder; the provider must be set} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** Builds a {@link ChatResponse}, for providers and test doubles. Not thread-safe. */
    public static final class Builder {
        private String id;
        private String model;
        private String provider;
        private String text = "";
        private List<ReasoningBlock> reasoning = List.of();
        private List<ToolCall> toolCalls = List.of();
        private FinishReason finishReason;
        private String rawFinishReason;
        private String refusal;
        private Usage usage = Usage.ZERO;
        private String requestId;
        private HttpHeaders headers = NO_HEADERS;
        private JsonObject raw;

        private Builder() {
        }

        /**
         * Sets the completion id.
         *
         * @param id the completion id
         * @return this builder
         */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /**
         * Sets the model that answered.
         *
         * @param model the model that answered
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * Sets the provider's name.
         *
         * @param provider the provider's name
         * @return this builder
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * Sets the answer.
         *
         * @param text the answer
         * @return this builder
         */
        public Builder text(String text) {
            this.text = text;
            return this;
        }

        /**
         * Sets the reasoning blocks.
         *
         * @param reasoning the reasoning blocks
         * @return this builder
         */
        public Builder reasoning(List<ReasoningBlock> reasoning) {
            this.reasoning = reasoning;
            return this;
        }

        /**
         * Sets the tool calls.
         *
         * @param toolCalls the tool calls
         * @return this builder
         */
        public Builder toolCalls(List<ToolCall> toolCalls) {
            this.toolCalls = toolCalls;
            return this;
        }

        /**
         * Sets the raw finish reason and its normalized form.
         *
         * @param raw the provider's word
         * @return this builder
         */
        public Builder finishReason(String raw) {
            this.rawFinishReason = raw;
            this.finishReason = FinishReason.fromWire(raw);
            return this;
        }

        /**
         * Sets a normalized reason, overriding the one derived from the raw value.
         *
         * @param finishReason a normalized reason, overriding the one derived from the raw value
         * @return this builder
         */
        public Builder finishReason(FinishReason finishReason) {
            this.finishReason = finishReason;
            return this;
        }

        /**
         * Sets the refusal text.
         *
         * @param refusal the refusal text
         * @return this builder
         */
        public Builder refusal(String refusal) {
            this.refusal = refusal;
            return this;
        }

        /**
         * Sets the token counts.
         *
         * @param usage the token counts
         * @return this builder
         */
        public Builder usage(Usage usage) {
            this.usage = usage;
            return this;
        }

        /**
         * Sets the request id.
         *
         * @param requestId the request id
         * @return this builder
         */
        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        /**
         * Sets the response headers.
         *
         * @param headers the response headers
         * @return this builder
         */
        public Builder headers(HttpHeaders headers) {
            this.headers = headers;
            return this;
        }

        /**
         * Sets the response body.
         *
         * @param raw the response body
         * @return this builder
         */
        public Builder raw(JsonObject raw) {
            this.raw = raw;
            return this;
        }

        /** {@return the response} */
        public ChatResponse build() {
            return new ChatResponse(id, model, provider, text, reasoning, toolCalls, finishReason, rawFinishReason,
                    refusal, usage, requestId, headers, raw);
        }
    }
}
