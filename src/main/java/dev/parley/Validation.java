package dev.parley;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.parley.internal.RequestChecks;
import dev.parley.spi.Capability;
import dev.parley.spi.Chain;
import dev.parley.spi.Policy;
import dev.parley.spi.Provider;

/**
 * Checks a request before anything is sent: a model is set and the provider can do what the
 * request asks (tools, images, JSON schema), with the checks every adapter makes too
 * ({@link RequestChecks}); and every tool result answers an earlier tool call and every tool call
 * is answered. Each failure is an {@link InvalidRequestException} or an
 * {@link UnsupportedCapabilityException} that names the field. Thread-safe.
 */
final class Validation implements Policy {

    /** The provider at the bottom of the stack: what it can do, and its name for errors. */
    private final Provider provider;

    Validation(Provider provider) {
        this.provider = provider;
    }

    @Override
    public <Q, R> R call(Chain<Q, R> chain) {
        if (chain.request() instanceof ChatRequest request) {
            validate(request, Capability.CHAT);
        } else if (chain.request() instanceof EmbeddingRequest request) {
            RequestChecks.require(provider, Capability.EMBEDDINGS, "embeddings are");
            RequestChecks.requireEmbeddingModel(provider.name(), request.model());
        } else {
            RequestChecks.require(provider, Capability.MODELS, "listing models is");
        }
        return chain.proceed();
    }

    @Override
    public ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        validate(chain.request(), Capability.STREAMING);
        return chain.proceed();
    }

    void validate(ChatRequest request, Capability operation) {
        RequestChecks.require(provider, operation, operation == Capability.STREAMING ? "streaming is" : "chat is");
        RequestChecks.requireModel(provider.name(), request.model());
        RequestChecks.requireCapabilities(provider, request);
        List<Message> messages = request.messages();
        Set<String> open = new HashSet<>();
        Set<String> seen = new HashSet<>();
        int openedAt = -1;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.role() != Role.TOOL && !open.isEmpty()) {
                throw invalid("messages[" + openedAt + "].toolCalls: tool call " + open.iterator().next()
                        + " has no tool result before messages[" + i + "]");
            }
            if (m.role() == Role.ASSISTANT && !m.toolCalls().isEmpty()) {
                for (ToolCall call : m.toolCalls()) {
                    if (!seen.add(call.id())) {
                        throw invalid("messages[" + i + "].toolCalls: the id " + call.id() + " is used twice");
                    }
                    open.add(call.id());
                }
                openedAt = i;
            } else if (m.role() == Role.TOOL) {
                if (!open.remove(m.toolCallId())) {
                    throw invalid("messages[" + i + "].toolCallId: " + m.toolCallId()
                            + (seen.contains(m.toolCallId()) ? " was already answered" : " answers no earlier tool call"));
                }
            }
        }
        if (!open.isEmpty()) {
            throw invalid("messages[" + openedAt + "].toolCalls: tool call " + open.iterator().next()
                    + " has no tool result; add Message.tool(id, result) after it");
        }
    }

    private LlmException invalid(String message) {
        return LlmException.newBuilder(LlmException.Kind.INVALID_REQUEST)
                .provider(provider.name())
                .message(message)
                .build();
    }
}
