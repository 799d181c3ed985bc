package dev.parley.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.internal.InterruptibleCalls;

/**
 * A provider behind a list of policies, the first the outermost: what {@link Policy#stack}
 * makes. A call builds one small {@link Link} per layer as it goes down. Thread-safe.
 */
final class Stack extends ScopedProvider implements InterruptibleCalls {

    private final Provider provider;
    private final Policy[] policies;
    /** Whether the provider's blocking calls end promptly when the calling thread is interrupted. */
    private final boolean interruptible;

    Stack(Provider provider, List<? extends Policy> policies) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.policies = policies.toArray(new Policy[0]);
        for (Policy p : this.policies) {
            Objects.requireNonNull(p, "policy");
        }
        this.interruptible = provider instanceof InterruptibleCalls i && i.callsEndOnInterrupt();
    }

    @Override
    public String name() {
        return provider.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return provider.capabilities();
    }

    @Override
    public boolean callsEndOnInterrupt() {
        return policies.length == 0 && interruptible;
    }

    @Override
    public ChatResponse chat(ChatRequest request, CallScope scope) {
        return next(0, Chain.Operation.CHAT, request, scope);
    }

    @Override
    public ChatStream stream(ChatRequest request, CallScope scope) {
        return next(0, Chain.Operation.STREAM, request, scope);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request, CallScope scope) {
        return next(0, Chain.Operation.EMBED, request, scope);
    }

    @Override
    public List<ModelInfo> models(CallScope scope) {
        return next(0, Chain.Operation.MODELS, null, scope);
    }

    @SuppressWarnings("unchecked")
    <Q, R> R next(int index, Chain.Operation operation, Q request, CallScope scope) {
        Objects.requireNonNull(scope, "scope");
        if (index == policies.length) {
            return (R) bottom(operation, request, scope);
        }
        Link<Q, R> link = new Link<>(this, index, operation, request, scope);
        Policy policy = policies[index];
        return operation == Chain.Operation.STREAM
                ? (R) policy.stream((Chain<ChatRequest, ChatStream>) (Chain<?, ?>) link)
                : policy.call(link);
    }

    /** Calls the provider itself: one attempt, which the call's observer is told of (a nested stack tells its own). */
    private Object bottom(Chain.Operation operation, Object request, CallScope scope) {
        boolean tell = !(provider instanceof Stack);
        return switch (operation) {
            case CHAT -> {
                if (tell) {
                    scope.attemptStarted();
                }
                yield provider.chat((ChatRequest) request, scope);
            }
            case STREAM -> {
                ChatStream s = provider.stream((ChatRequest) request, scope);
                yield tell ? ChatStream.of(s.provider(), subscriber -> {
                    scope.attemptStarted();
                    s.subscribe(subscriber);
                }) : s;
            }
            case EMBED -> {
                if (tell) {
                    scope.attemptStarted();
                }
                yield provider.embed((EmbeddingRequest) request, scope);
            }
            case MODELS -> {
                if (tell) {
                    scope.attemptStarted();
                }
                yield provider.models(scope);
            }
        };
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Policy p : policies) {
            b.append(p).append(" > ");
        }
        return b.append(provider).toString();
    }

    /** The chain one layer is given. */
    private record Link<Q, R>(Stack stack, int index, Chain.Operation operation, Q request, CallScope scope)
            implements Chain<Q, R>, InterruptibleCalls {

        @Override
        public String provider() {
            return stack.provider.name();
        }

        @Override
        public R proceed(Q request, CallScope scope) {
            return stack.next(index + 1, operation, request, scope);
        }

        /** Whether only the provider is below this layer, and its calls end promptly on interrupt. */
        @Override
        public boolean callsEndOnInterrupt() {
            return index + 1 == stack.policies.length && stack.interruptible;
        }

        @Override
        public String toString() {
            return operation + " to " + provider();
        }
    }
}
