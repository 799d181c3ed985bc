package dev.parley.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import dev.parley.ChatChunk;
import dev.parley.ChatStream;
import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.spi.CallScope;
import dev.parley.spi.Ticker;
import dev.parley.internal.flow.Relay;

/**
 * Tries a list of targets in order, moving to the next when one fails with an error of a kind
 * that calls for it, as long as there is a next one, the thread is not interrupted and the
 * overall deadline has not passed. The error finally thrown is the last target's, with the
 * earlier targets' errors {@linkplain Throwable#getSuppressed() suppressed}. Streams move on
 * only before their first chunk. Shared by {@link FallbackPolicy} and {@link WeightedRouter}.
 */
final class Failover {

    /** Counts calls and failures per target index. */
    interface Counter {
        void called(int target);

        void failed(int target);
    }

    private final Set<Kind> kinds;
    private final Ticker ticker;

    Failover(Set<Kind> kinds, Ticker ticker) {
        this.kinds = kinds;
        this.ticker = ticker;
    }

    /** {@return the first answer of {@code attempt(0)}, {@code attempt(1)}, ... up to {@code count} targets} */
    <T> T call(int count, IntFunction<T> attempt, Counter counter, CallScope scope) {
        List<Throwable> earlier = new ArrayList<>();
        for (int i = 0; ; i++) {
            counter.called(i);
            try {
                return attempt.apply(i);
            } catch (RuntimeException e) {
                counter.failed(i);
                if (!movesOn(e, i + 1 < count, scope)) {
                    throw suppress(e, earlier);
                }
                earlier.add(e);
            }
        }
    }

    /**
     * {@return a stream of the first target whose stream does not fail before its first chunk}.
     * The first target's stream is made now (so a provider that cannot stream fails now); the
     * others when needed, in the same scope. The stream is named after the first target; its
     * chunks name the target that answered.
     */
    ChatStream stream(int count, IntFunction<ChatStream> open, Counter counter, CallScope scope) {
        ChatStream first = open.apply(0);
        List<Throwable> earlier = new ArrayList<>();
        AtomicInteger current = new AtomicInteger();
        Relay<ChatChunk> relay = new Relay<>(first, new Relay.Hooks<>() {
            private volatile boolean chunkSeen;

            @Override
            public void started(Relay.Control control) {
                counter.called(0);
            }

            @Override
            public void received(ChatChunk item) {
                chunkSeen = true;
            }

            @Override
            public Relay.Next<ChatChunk> failedEarly(int attempt, Throwable error) {
                int i = attempt - 1;
                counter.failed(i);
                if (!movesOn(error, i + 1 < count, scope)) {
                    return Relay.Next.fail(suppress(error, earlier));
                }
                earlier.add(error);
                return Relay.Next.retry(() -> {
                    current.set(i + 1);
                    counter.called(i + 1);
                    return open.apply(i + 1);
                });
            }

            @Override
            public void ended(Relay.End end, Throwable error) {
                if (end == Relay.End.FAILED && chunkSeen) {
                    counter.failed(current.get());
                }
            }
        });
        return ChatStream.of(first.provider(), relay);
    }

    private boolean movesOn(Throwable error, boolean hasNext, CallScope scope) {
        return hasNext && error instanceof LlmException e && kinds.contains(e.kind())
                && !Thread.currentThread().isInterrupted() && !scope.expired(ticker);
    }

    private static <E extends Throwable> E suppress(E error, List<Throwable> earlier) {
        for (Throwable t : earlier) {
            if (t != error) {
                error.addSuppressed(t);
            }
        }
        return error;
    }
}
