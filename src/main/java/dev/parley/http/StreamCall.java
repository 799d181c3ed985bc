package dev.parley.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

import dev.parley.ApiKey;
import dev.parley.LlmException;
import dev.parley.internal.Failures;
import dev.parley.json.JsonException;

/**
 * One streamed HTTP exchange, seen by its subscriber as a {@link Flow.Subscription}: created on
 * subscribe, it sends the request, and once the response headers arrive hands the body to a
 * decoding publisher and relays its items. Demand asked for before the response arrives is kept
 * and passed on; {@code cancel()} aborts the exchange at any stage (before the headers, by
 * cancelling the send; after, by cancelling the body). Every error reaches the subscriber as an
 * {@link LlmException}.
 *
 * @param <T> the item type
 */
final class StreamCall<T> implements Flow.Subscription, Flow.Subscriber<T> {

    private final Flow.Subscriber<? super T> downstream;
    private final String provider;
    private final ApiKey key;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private Flow.Subscription inner;
    private long pending;
    private boolean cancelled;
    private boolean done;
    private CompletableFuture<?> exchange;
    private String requestId;

    StreamCall(Flow.Subscriber<? super T> downstream, String provider, ApiKey key) {
        this.downstream = Objects.requireNonNull(downstream, "subscriber");
        this.provider = provider;
        this.key = key;
    }

    void start(HttpClient client, HttpRequest request,
               BiFunction<HttpHeaders, Flow.Publisher<List<ByteBuffer>>, Flow.Publisher<T>> decoder) {
        downstream.onSubscribe(this);
        HttpResponse.BodyHandler<Flow.Publisher<List<ByteBuffer>>> handler = info -> {
            int status = info.statusCode();
            if (status >= 200 && status <= 299) {
                return HttpResponse.BodySubscribers.ofPublisher();
            }
            // An error: read the start of the (normally small) body and turn it into the error.
            return HttpResponse.BodySubscribers.mapping(Transport.CappedBody.truncating(Transport.MAX_ERROR_BODY_BYTES), body -> {
                LlmException e = HttpErrors.fromResponse(provider, status, info.headers(), body, key);
                return subscriber -> {
                    subscriber.onSubscribe(new Flow.Subscription() {
                        @Override
                        public void request(long n) {
                        }

                        @Override
                        public void cancel() {
                        }
                    });
                    subscriber.onError(e);
                };
            });
        };
        CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> future;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            future = client.sendAsync(request, handler);
            exchange = future;
        } finally {
            lock.unlock();
        }
        future.whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable t = unwrap(failure);
                Error error = Transport.errorIn(t);
                fail(error != null ? error : HttpErrors.fromException(provider, t, key, request.uri()));
                return;
            }
            String rid = HttpErrors.requestId(response.headers());
            boolean stop;
            lock.lock();
            try {
                requestId = rid;
                stop = cancelled;
            } finally {
                lock.unlock();
            }
            if (stop) {
                drainAndDiscard(response.body());
                return;
            }
            Flow.Publisher<T> items;
            try {
                items = decoder.apply(response.headers(), response.body());
            } catch (RuntimeException | Error e) {
                // An Error too: thrown from this callback it would be lost, and the stream hang.
                drainAndDiscard(response.body());
                fail(e instanceof Error error ? error : HttpErrors.fromException(provider, e, key, request.uri()));
                return;
            }
            items.subscribe(this);
        });
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static void drainAndDiscard(Flow.Publisher<List<ByteBuffer>> body) {
        body.subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.cancel();
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable throwable) {
            }

            @Override
            public void onComplete() {
            }
        });
    }

    // --- Flow.Subscription, for downstream

    @Override
    public void request(long n) {
        Flow.Subscription s;
        lock.lock();
        try {
            if (cancelled || done) {
                return;
            }
            if (n <= 0) {
                s = null;
            } else if (inner == null) {
                pending = pending + n < 0 ? Long.MAX_VALUE : pending + n;
                return;
            } else {
                s = inner;
            }
        } finally {
            lock.unlock();
        }
        if (s == null) {
            cancel();
            failNow(new IllegalArgumentException("request(n) needs n > 0, got " + n));
            return;
        }
        s.request(n);
    }

    @Override
    public void cancel() {
        Flow.Subscription s;
        CompletableFuture<?> f;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
            s = inner;
            f = exchange;
        } finally {
            lock.unlock();
        }
        if (s != null) {
            s.cancel();
        } else if (f != null) {
            f.cancel(true);
        }
    }

    // --- Flow.Subscriber, for the decoded items

    @Override
    public void onSubscribe(Flow.Subscription s) {
        long p;
        lock.lock();
        try {
            if (cancelled || inner != null) {
                p = -1;
            } else {
                inner = s;
                p = pending;
                pending = 0;
            }
        } finally {
            lock.unlock();
        }
        if (p < 0) {
            s.cancel();
        } else if (p > 0) {
            s.request(p);
        }
    }

    @Override
    public void onNext(T item) {
        downstream.onNext(item);
    }

    /**
     * Fails the stream with {@code t} as an {@link LlmException}; but an {@link Error} (such as
     * {@link OutOfMemoryError}) among its causes goes to the subscriber as it is, never disguised
     * as a stream or network failure that a retry would repeat.
     */
    @Override
    public void onError(Throwable t) {
        Error error = Transport.errorIn(t);
        fail(error != null ? error : toLlmException(t));
    }

    @Override
    public void onComplete() {
        lock.lock();
        try {
            if (done) {
                return;
            }
            done = true;
        } finally {
            lock.unlock();
        }
        downstream.onComplete();
    }

    private LlmException toLlmException(Throwable t) {
        if (t instanceof LlmException e) {
            return e;
        }
        String rid;
        lock.lock();
        try {
            rid = requestId;
        } finally {
            lock.unlock();
        }
        String what;
        if (t instanceof StreamInterruptedException || t instanceof StreamFormatException) {
            what = t.getMessage();
        } else if (t instanceof JsonException) {
            what = "the provider sent a malformed stream event (" + t.getMessage() + ")";
        } else if (t instanceof IOException) {
            what = "the connection failed in the middle of the stream (" + t.getMessage() + ")";
        } else {
            what = "the stream failed (" + Failures.describe(t) + ")";
        }
        return LlmException.newBuilder(LlmException.Kind.STREAM_INTERRUPTED)
                .provider(provider)
                .message(key == null ? what : key.redact(what))
                .requestId(rid)
                .cause(dev.parley.internal.Scrub.redact(t, key))
                .build();
    }

    /** Delivers an error (an {@link LlmException}, or an {@link Error}) unless the stream was cancelled or already ended. */
    private void fail(Throwable e) {
        lock.lock();
        try {
            if (done || cancelled) {
                return;
            }
            done = true;
        } finally {
            lock.unlock();
        }
        downstream.onError(e);
    }

    private void failNow(Throwable t) {
        lock.lock();
        try {
            if (done) {
                return;
            }
            done = true;
        } finally {
            lock.unlock();
        }
        downstream.onError(t);
    }
}
