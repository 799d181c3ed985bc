package dev.parley.internal;

import dev.parley.ChatRequest;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ResponseFormat;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;

/**
 * The checks every provider makes before anything is sent, in one place with one error each: a
 * request without a model is {@link LlmException.Kind#INVALID_REQUEST}, and a request for what
 * the provider cannot do is {@link LlmException.Kind#UNSUPPORTED}. {@code Llm}'s validation and
 * the adapters (which may be called without an {@code Llm}) both use them. Stateless.
 */
public final class RequestChecks {

    private RequestChecks() {
    }

    /**
     * Fails when a chat request names no model.
     *
     * @param provider the provider's name, for the error
     * @param model    the request's model, or null
     * @throws LlmException of kind INVALID_REQUEST if {@code model} is null
     */
    public static void requireModel(String provider, String model) {
        if (model == null) {
            throw noModel(provider, "no model: set one on the request or a default model on the client");
        }
    }

    /**
     * Fails when an embedding request names no model.
     *
     * @param provider the provider's name, for the error
     * @param model    the request's model, or null
     * @throws LlmException of kind INVALID_REQUEST if {@code model} is null
     */
    public static void requireEmbeddingModel(String provider, String model) {
        if (model == null) {
            throw noModel(provider, "no model: set one on the embedding request or a default embedding model on the client");
        }
    }

    private static LlmException noModel(String provider, String message) {
        return LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST).provider(provider).message(message).build();
    }

    /**
     * Fails when {@code provider} lacks a capability.
     *
     * @param provider   the provider
     * @param capability what the call needs
     * @param what       what the call asks for, with its verb, such as "tools are" or "streaming is"
     * @throws LlmException of kind UNSUPPORTED if the provider lacks {@code capability}
     */
    public static void require(Provider provider, Capability capability, String what) {
        if (!provider.capabilities().contains(capability)) {
            throw unsupported(provider.name(), what);
        }
    }

    /**
     * Fails when a chat request asks for tools, a JSON-schema response format or images and the
     * provider lacks that capability.
     *
     * @param provider the provider
     * @param request  the request
     * @throws LlmException of kind UNSUPPORTED for the first thing the provider cannot do
     */
    public static void requireCapabilities(Provider provider, ChatRequest request) {
        if (!request.tools().isEmpty()) {
            require(provider, Capability.TOOLS, "tools are");
        }
        if (request.responseFormat() != null && request.responseFormat().type() == ResponseFormat.Type.JSON_SCHEMA) {
            if (!provider.capabilities().contains(Capability.JSON_SCHEMA)) {
                throw LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(provider.name())
                        .message("JSON-schema response formats are not supported by " + provider.name()
                                + "; ResponseFormat.jsonObject() may be")
                        .build();
            }
        }
        for (Message m : request.messages()) {
            if (!m.isTextOnly()) {
                require(provider, Capability.IMAGES, "images are");
                return;
            }
        }
    }

    /**
     * {@return the error for a call the provider cannot make}: "WHAT not supported by PROVIDER"
     *
     * @param provider the provider's name
     * @param what     what the call asks for, with its verb, such as "embeddings are"
     */
    public static LlmException unsupported(String provider, String what) {
        return LlmException.newBuilder(LlmException.Kind.UNSUPPORTED)
                .provider(provider)
                .message(what + " not supported by " + provider)
                .build();
    }
}
