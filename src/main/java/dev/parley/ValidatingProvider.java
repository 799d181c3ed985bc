package dev.parley;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.parley.internal.RequestChecks;
import dev.parley.spi.Capability;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/**
 * Checks a request before anything is sent: a model is set and the provider can do what the
 * request asks (tools, images, JSON schema), with the checks every adapter makes too
 * ({@link RequestChecks}); and every tool result answers an earlier tool call and every tool call
 * is answered. Each failure is an {@link InvalidRequestException} or an
 * {@link UnsupportedCapabilityException} that names the field. Thread-safe.
 */
final class ValidatingProvider extends ForwardingProvider {

    ValidatingProvider(Provider delegate) {
        super(delegate);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        validate(request, Capability.CHAT);
        return delegate().chat(request);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        validate(request, Capability.STREAMING);
        return delegate().stream(request);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        RequestChecks.require(delegate(), Capability.EMBEDDINGS, "embeddings are");
        RequestChecks.requireEmbeddingModel(delegate().name(), request.model());
        return delegate().embed(request);
    }

    @Override
    public List<ModelInfo> models() {
        RequestChecks.require(delegate(), Capability.MODELS, "listing models is");
        return delegate().models();
    }

    void validate(ChatRequest request, Capability operation) {
        RequestChecks.require(delegate(), operation, operation == Capability.STREAMING ? "streaming is" : "chat is");
        RequestChecks.requireModel(delegate().name(), request.model());
        RequestChecks.requireCapabilities(delegate(), request);
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
                .provider(delegate().name())
                .message(message)
                .build();
    }
}
