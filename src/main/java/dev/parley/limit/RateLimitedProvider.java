package dev.parley.limit;

import dev.parley.internal.WaitGauge;
import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.internal.CallContext;
import dev.parley.spi.ForwardingProvider;
import dev.parley.spi.Provider;

/** A provider behind a {@link RateLimitPolicy}; see there for what is limited. Thread-safe. */
final class RateLimitedProvider extends ForwardingProvider {

    private final Limiter policy;

    RateLimitedProvider(Limiter policy, Provider delegate) {
        super(delegate);
        this.policy = policy;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Lane lane = policy.lane(delegate().name(), request.model());
        long estimate = estimate(request);
        long handle = lane.acquire(estimate, Limiter.deadline(CallContext.current()));
        ChatResponse response = null;
        try {
            response = delegate().chat(request);
        } catch (LlmException e) {
            pauseIfAsked(lane, e);
            throw e;
        } finally {
            lane.release(estimate, response == null ? -1 : actualTokens(response.usage()), handle);
        }
        if (!response.headers().map().isEmpty()) {
            follow(lane, response.headers()); // after settling the tokens, to compare like with like
        }
        return response;
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        // The adapter reports the response's headers when they arrive; they are followed once
        // the stream's tokens are settled, as for a non-streamed chat.
        AtomicReference<HttpHeaders> headers = new AtomicReference<>();
        CallContext context = CallContext.current();
        ChatStream upstream = context.withOnHeaders(headers::set).call(() -> delegate().stream(request));
        Lane lane = policy.lane(delegate().name(), request.model());
        long estimate = estimate(request);
        return ChatStream.of(upstream::provider, subscriber ->
                new PermitRelay(this, lane, estimate, context, upstream, subscriber, headers).start());
    }

    @Override
    public EmbeddingResponse embed(EmbeddingRequest request) {
        Lane lane = policy.lane(delegate().name(), request.model());
        long estimate = estimate(request);
        CallContext context = CallContext.current();
        long handle = lane.acquire(estimate, Limiter.deadline(context));
        AtomicReference<HttpHeaders> headers = new AtomicReference<>();
        EmbeddingResponse response = null;
        try {
            response = context.withOnHeaders(headers::set).call(() -> delegate().embed(request));
        } catch (LlmException e) {
            pauseIfAsked(lane, e);
            throw e;
        } finally {
            lane.release(estimate, response == null ? -1 : actualTokens(response.usage()), handle);
        }
        follow(lane, headers.get());
        return response;
    }

    /** A 429 with a retry-after pauses the lane for that long (capped). */
    void pauseIfAsked(Lane lane, Throwable error) {
        if (error instanceof LlmException e && e.kind() == LlmException.Kind.RATE_LIMITED
                && e.retryAfter() != null && e.retryAfter().isPositive()) {
            long pause = Math.min(WaitGauge.saturatedNanos(e.retryAfter()), RateLimitPolicy.MAX_PAUSE_NANOS);
            lane.pauseUntil(policy.now() + pause);
        }
    }

    /** Tightens the lane to what the provider's rate-limit headers report, if they do; null does nothing. */
    void follow(Lane lane, HttpHeaders headers) {
        if (headers == null) {
            return;
        }
        Instant at = policy.clock().instant();
        RateLimitHeaders h = RateLimitHeaders.parse(headers, at);
        if (h != null) {
            long now = Limiter.nanos(at);
            lane.observe(h, now, resetNanos(h.requestsReset(), now), resetNanos(h.tokensReset(), now));
        }
    }

    private static long resetNanos(Instant reset, long now) {
        if (reset == null) {
            return Long.MIN_VALUE;
        }
        return Limiter.capPause(Limiter.nanos(reset), now);
    }

    /** {@return the tokens a usage reports, or -1 when it reports none} */
    static long actualTokens(Usage u) {
        long total = u.totalTokens() > 0 ? u.totalTokens() : u.inputTokens() + u.outputTokens();
        return total > 0 ? total : -1;
    }

    /** {@return the tokens a chat request is estimated at: prompt characters / 4, rounded up, plus the answer} */
    static long estimate(ChatRequest r) {
        long chars = 0;
        long images = 0;
        for (Message m : r.messages()) {
            for (ContentPart p : m.content()) {
                if (p instanceof ContentPart.Text t) {
                    chars += t.text().length();
                } else {
                    images++;
                }
            }
            for (ToolCall c : m.toolCalls()) {
                chars += c.name().length() + c.arguments().length();
            }
            for (ReasoningBlock b : m.reasoning()) {
                chars += b.text().length();
            }
        }
        for (Tool t : r.tools()) {
            chars += t.name().length() + (t.description() == null ? 0 : t.description().length());
        }
        long output = r.maxTokens() != null ? r.maxTokens() : RateLimitPolicy.DEFAULT_OUTPUT_TOKENS;
        return Math.ceilDiv(chars, 4) + images * RateLimitPolicy.IMAGE_TOKENS + output;
    }

    /** {@return the tokens an embedding request is estimated at: input characters / 4, rounded up} */
    static long estimate(EmbeddingRequest r) {
        long chars = 0;
        for (String input : r.inputs()) {
            chars += input.length();
        }
        return Math.ceilDiv(chars, 4);
    }

    @Override
    public String toString() {
        return "RateLimited[" + delegate() + "]";
    }
}
