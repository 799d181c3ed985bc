package dev.parley.provider.openai;

import java.net.URI;
import java.util.EnumSet;
import java.util.Set;

import dev.parley.spi.Capability;

/**
 * What differs between the servers that speak the OpenAI Chat Completions protocol: where they
 * are, how they take the key, which roles and fields they accept, and what they can do.
 *
 * <p>Immutable and thread-safe.
 */
enum Dialect {

    /** OpenAI itself. */
    OPENAI("openai", "https://api.openai.com/v1", false, "OPENAI_API_KEY",
            false, false, true, true, true,
            EnumSet.of(Capability.CHAT, Capability.STREAMING, Capability.EMBEDDINGS, Capability.MODELS,
                    Capability.TOOLS, Capability.IMAGES, Capability.JSON_SCHEMA)),

    /**
     * DeepSeek: no {@code developer} role, reasoning returned as {@code reasoning_content} (and
     * sent back inside tool-calling turns), no images, no embeddings. It has JSON mode but no
     * {@code json_schema}: a JSON-schema format is sent as JSON mode with the schema in a system
     * message ({@link #schemaInPrompt()}).
     */
    DEEPSEEK("deepseek", "https://api.deepseek.com", false, "DEEPSEEK_API_KEY",
            true, true, false, true, false,
            EnumSet.of(Capability.CHAT, Capability.STREAMING, Capability.MODELS, Capability.TOOLS,
                    Capability.REASONING, Capability.JSON_SCHEMA)),

    /**
     * Any other server, by base URL. What it supports is up to the server, so every capability of
     * the protocol is declared and the server answers for itself. The {@code developer} role is
     * sent as {@code system}, which every such server understands.
     */
    COMPATIBLE("openai-compatible", null, false, null,
            true, false, false, true, false,
            EnumSet.allOf(Capability.class)),

    /**
     * Azure OpenAI: the deployment is in the base URL, the key goes in an {@code api-key} header
     * and an {@code api-version} query parameter is required. Listing models is not offered: a
     * deployment URL has no models endpoint.
     */
    AZURE("azure-openai", null, true, "AZURE_OPENAI_API_KEY",
            false, false, true, false, true,
            EnumSet.of(Capability.CHAT, Capability.STREAMING, Capability.EMBEDDINGS, Capability.TOOLS,
                    Capability.IMAGES, Capability.JSON_SCHEMA));

    final String factoryName;
    final URI defaultBaseUrl;
    /** Whether the key goes in {@code api-key} (Azure) rather than {@code Authorization: Bearer}. */
    final boolean apiKeyHeader;
    /** The environment variable a missing key is reported against; null when no key is needed. */
    final String keyVariable;
    final boolean developerAsSystem;
    /** Whether assistant reasoning is sent back as {@code reasoning_content} (DeepSeek's rule). */
    final boolean reasoningRoundTrip;
    /** Whether reasoning model families get {@code max_completion_tokens} instead of {@code max_tokens}. */
    final boolean completionTokensRule;
    /** Whether a request must name a model (not on Azure, where the deployment names it). */
    final boolean modelRequired;
    /** Whether embeddings are asked for as base64 unless the {@code embeddingEncoding} option says otherwise. */
    final boolean base64EmbeddingsByDefault;
    private final Set<Capability> capabilities;

    Dialect(String factoryName, String defaultBaseUrl, boolean apiKeyHeader, String keyVariable,
            boolean developerAsSystem, boolean reasoningRoundTrip, boolean completionTokensRule,
            boolean modelRequired, boolean base64EmbeddingsByDefault, Set<Capability> capabilities) {
        this.factoryName = factoryName;
        this.defaultBaseUrl = defaultBaseUrl == null ? null : URI.create(defaultBaseUrl);
        this.apiKeyHeader = apiKeyHeader;
        this.keyVariable = keyVariable;
        this.developerAsSystem = developerAsSystem;
        this.reasoningRoundTrip = reasoningRoundTrip;
        this.completionTokensRule = completionTokensRule;
        this.modelRequired = modelRequired;
        this.base64EmbeddingsByDefault = base64EmbeddingsByDefault;
        this.capabilities = Set.copyOf(capabilities);
    }

    /** {@return what this dialect's servers can do} */
    Set<Capability> capabilities() {
        return capabilities;
    }

    /**
     * {@return whether a JSON-schema response format is sent as {@code json_object} with the
     * schema in a system message, for a server that has JSON mode but no {@code json_schema}}
     */
    boolean schemaInPrompt() {
        return this == DEEPSEEK;
    }

    /** {@return whether an API key must be configured} */
    boolean keyRequired() {
        return keyVariable != null;
    }
}
