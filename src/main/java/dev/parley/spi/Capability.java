package dev.parley.spi;

/**
 * Something a {@link Provider} can do. Asking a provider for something outside its
 * {@link Provider#capabilities()} fails before any network call.
 */
public enum Capability {
    /** Chat completions. */
    CHAT,
    /** Streamed chat completions. */
    STREAMING,
    /** Text embeddings. */
    EMBEDDINGS,
    /** Listing the models. */
    MODELS,
    /** Tool (function) calling. */
    TOOLS,
    /** Images in user messages. */
    IMAGES,
    /** Reasoning returned with the answer. */
    REASONING,
    /**
     * Answers that follow a JSON schema ({@link dev.parley.ResponseFormat#jsonSchema}), by the
     * strongest means the provider has: a strict schema, a forced tool, or the schema in the prompt.
     */
    JSON_SCHEMA
}
