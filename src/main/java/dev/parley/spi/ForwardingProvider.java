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

/**
 * A {@link Provider} that passes every call to another one: the base of decorators, which
 * override only what they change. Parley's own policies (cache, retry, rate limit, ...) are built
 * on it.
 *
 * {@snippet :
 * final class Timing extends ForwardingProvider {
 *     Timing(Provider delegate) {
 *         super(delegate);
 *     }
 *
 *     @Override
 *     public ChatResponse chat(ChatRequest request) {
 *         long start = System.nanoTime();
 *         try {
 *             return super.chat(request);
 *         } finally {
 *             System.out.println((System.nanoTime() - start) / 1_000_000 + " ms");
 *         }
 *     }
 * }
 * }
 *
 * <p>Thread-safe if the subclass is.
 */
public abstract class ForwardingProvider implements Provider {

    private final Provider delegate;

    /**
     * Creates a provider that passes every call to {@code delegate}.
     *
     * @param delegate the provider calls are passed to
     */
    protected ForwardingProvider(Provider delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** {@return the provider calls are passed to} */
    protected final Provider delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return delegate.chat(request);
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return delegate.stream(request);
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return delegate.embed(request);
    }

    @Override
    public List<ModelInfo> models() {
        return delegate.models();
    }
}
