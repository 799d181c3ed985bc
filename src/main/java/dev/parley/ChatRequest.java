package dev.parley;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * A request for a chat completion, in one shape for every provider.
 *
 * {@snippet :
 * ChatRequest request = ChatRequest.newBuilder()
 *         .model("gpt-4o-mini")
 *         .addMessage(Message.system("Answer in one word."))
 *         .addMessage(Message.user("Capital of France?"))
 *         .temperature(0.2)
 *         .maxTokens(20)
 *         .build();
 * }
 *
 * <p>Options left unset (null, or empty lists) are not sent, so the provider's defaults apply.
 * {@code extra} holds provider-specific fields, copied into the request body as they are after
 * Parley's own fields (so they can also override them).
 *
 * @param model          the model, or null to use the client's default model
 * @param messages       the conversation so far; at least one message
 * @param temperature    sampling temperature, 0 to 2; null for the provider's default
 * @param topP           nucleus sampling, more than 0 and at most 1; null for the default
 * @param maxTokens      the most tokens to generate, at least 1; null for the default (Anthropic,
 *                       which requires a value, gets the client's default)
 * @param stop           sequences that end generation
 * @param seed           a seed for reproducible sampling, where supported; null for none
 * @param tools          tools the model may call
 * @param toolChoice     whether and which tool must be called; null for the provider's default
 * @param responseFormat the form of the answer; null for text
 * @param user           an id of the end user, for the provider's abuse monitoring; null for none
 * @param extra          provider-specific fields to add to the request body
 */
public record ChatRequest(String model, List<Message> messages, Double temperature, Double topP,
                          Integer maxTokens, List<String> stop, Long seed, List<Tool> tools,
                          ToolChoice toolChoice, ResponseFormat responseFormat, String user,
                          JsonObject extra) {

    /** Validates the request and copies its lists. */
    public ChatRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages: a chat request needs at least one message");
        }
        if (model != null && model.isBlank()) {
            throw new IllegalArgumentException("model: must not be blank");
        }
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            throw new IllegalArgumentException("temperature: expected 0 to 2, got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP: expected more than 0 and at most 1, got " + topP);
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens: expected at least 1, got " + maxTokens);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop: stop sequences must not be empty");
            }
        }
        tools = tools == null ? List.of() : List.copyOf(tools);
        if (toolChoice != null && toolChoice.mode() == ToolChoice.Mode.TOOL
                && tools.stream().noneMatch(t -> t.name().equals(toolChoice.toolName()))) {
            throw new IllegalArgumentException("toolChoice: no tool named \"" + toolChoice.toolName() + "\" in tools");
        }
        extra = extra == null ? JsonObject.of() : extra;
    }

    /**
     * {@return a request for one user message to {@code model}}
     *
     * @param model the model's name, or null for the client's default
     * @param userMessage the text of the user message
     */
    public static ChatRequest of(String model, String userMessage) {
        return newBuilder().model(model).addMessage(Message.user(userMessage)).build();
    }

    /** {@return a new, empty builder} */
    public static Builder newBuilder() {
        return new Builder();
    }

    /** {@return a builder holding this request's values, to make a modified copy} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.messages.addAll(messages);
        b.temperature = temperature;
        b.topP = topP;
        b.maxTokens = maxTokens;
        b.stop = stop;
        b.seed = seed;
        b.tools.addAll(tools);
        b.toolChoice = toolChoice;
        b.responseFormat = responseFormat;
        b.user = user;
        b.extra = extra.toBuilder();
        return b;
    }

    /**
     * {@return a copy of this request for another model}
     *
     * @param model the other model's name
     */
    public ChatRequest withModel(String model) {
        return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
                responseFormat, user, extra);
    }

    /**
     * Builds a {@link ChatRequest}. Setters check their argument at once; {@link #build()}
     * checks the whole. Not thread-safe.
     */
    public static final class Builder {
        private String model;
        private final List<Message> messages = new ArrayList<>();
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private List<String> stop = List.of();
        private Long seed;
        private final List<Tool> tools = new ArrayList<>();
        private ToolChoice toolChoice;
        private ResponseFormat responseFormat;
        private String user;
        private JsonObject.Builder extra = JsonObject.newBuilder();

        private Builder() {
        }

        /**
         * Sets the model; null means the client's default.
         *
         * @param model the model's name; null means the client's default
         * @return this builder
         */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /**
         * Appends a message.
         *
         * @param message the message to add after the others
         * @return this builder
         */
        public Builder addMessage(Message message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /**
         * Replaces the messages.
         *
         * @param messages the conversation, oldest first
         * @return this builder
         */
        public Builder messages(List<Message> messages) {
            this.messages.clear();
            messages.forEach(this::addMessage);
            return this;
        }

        /**
         * Sets the sampling temperature, 0 to 2.
         *
         * @param temperature the sampling temperature, 0 to 2
         * @return this builder
         */
        public Builder temperature(double temperature) {
            if (!(temperature >= 0 && temperature <= 2)) {
                throw new IllegalArgumentException("temperature: expected 0 to 2, got " + temperature);
            }
            this.temperature = temperature;
            return this;
        }

        /**
         * Sets nucleus sampling, more than 0 and at most 1.
         *
         * @param topP nucleus sampling, more than 0 and at most 1
         * @return this builder
         */
        public Builder topP(double topP) {
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("topP: expected more than 0 and at most 1, got " + topP);
            }
            this.topP = topP;
            return this;
        }

        /**
         * Sets the most tokens to generate, at least 1.
         *
         * @param maxTokens the most tokens to generate, at least 1
         * @return this builder
         */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens: expected at least 1, got " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * Sets the stop sequences.
         *
         * @param stop the stop sequences
         * @return this builder
         */
        public Builder stop(List<String> stop) {
            this.stop = List.copyOf(stop);
            return this;
        }

        /**
         * Sets the sampling seed.
         *
         * @param seed the sampling seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Adds a tool.
         *
         * @param tool a tool the model may call
         * @return this builder
         */
        public Builder addTool(Tool tool) {
            tools.add(Objects.requireNonNull(tool, "tool"));
            return this;
        }

        /**
         * Replaces the tools.
         *
         * @param tools the tools the model may call
         * @return this builder
         */
        public Builder tools(List<Tool> tools) {
            this.tools.clear();
            tools.forEach(this::addTool);
            return this;
        }

        /**
         * Sets the tool choice.
         *
         * @param toolChoice the tool choice
         * @return this builder
         */
        public Builder toolChoice(ToolChoice toolChoice) {
            this.toolChoice = toolChoice;
            return this;
        }

        /**
         * Sets the response format.
         *
         * @param responseFormat the response format
         * @return this builder
         */
        public Builder responseFormat(ResponseFormat responseFormat) {
            this.responseFormat = responseFormat;
            return this;
        }

        /**
         * Sets the end-user id.
         *
         * @param user the end-user id
         * @return this builder
         */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * Adds a provider-specific field to the request body.
         *
         * @param name the field's name in the request body
         * @param value the field's value, sent as it is
         * @return this builder
         */
        public Builder extra(String name, JsonValue value) {
            extra.put(name, value);
            return this;
        }

        /** {@return the request} @throws IllegalArgumentException if it is not valid, naming the field */
        public ChatRequest build() {
            return new ChatRequest(model, messages, temperature, topP, maxTokens, stop, seed, tools, toolChoice,
                    responseFormat, user, extra.build());
        }
    }
}
