package dev.parley.route;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.ModelInfo;
import dev.parley.retry.internal.Relay;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/**
 * A provider whose delegate is called only while its {@link CircuitBreaker} allows. Thread-safe;
 * the circuit's state lives in the breaker.
 */
final class BreakerProvider extends ForwardingProvider {

    private final CircuitBreaker breaker;

    BreakerProvider(CircuitBreaker breaker, Provider delegate) {
        super(delegate);
        this.breaker = breaker;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return call(() -> delegate().chat(request));
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        return call(() -> delegate().embed(request));
    }

    @Override
    public List<ModelInfo> models() {
        return call(delegate()::models);
    }

    private <T> T call(Supplier<T> work) {
        CircuitBreaker.Permit permit = breaker.acquire(delegate().name());
        T result;
        try {
            result = work.get();
        } catch (RuntimeException | Error e) {
            breaker.record(permit, e);
            throw e;
        }
        breaker.record(permit, null);
        return result;
    }

    /**
     * Streams through the circuit: the permit is taken when the stream is subscribed to (a
     * refusal arrives as {@code onError}), and the outcome recorded when it ends.
     */
    @Override
    public ChatStream stream(ChatRequest request) {
        ChatStream inner = delegate().stream(request); // sends nothing yet; fails now if it cannot stream
        AtomicReference<CircuitBreaker.Permit> permit = new AtomicReference<>();
        Relay<ChatChunk> relay = Relay.deferred(() -> {
            permit.set(breaker.acquire(delegate().name()));
            return inner;
        }, new Relay.Hooks<>() {
            @Override
            public void ended(Relay.End end, Throwable error) {
                CircuitBreaker.Permit p = permit.get();
                if (p != null) {
                    breaker.record(p, switch (end) {
                        case COMPLETED -> null;
                        case FAILED -> error;
                        case CANCELLED -> new CancellationException("cancelled");
                    });
                }
            }
        });
        return ChatStream.of(inner::provider, relay);
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + delegate() + "]";
    }
}
