package dev.parley.limit;

import dev.parley.internal.WaitGauge;
import java.net.http.HttpHeaders;
import java.time.Instant;

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
import dev.parley.spi.Chain;

/** What {@link RateLimitPolicy} does with a call: takes a permit, and follows the provider's answer. Thread-safe. */
final class Limiting {

    private final Limiter policy;

    Limiting(Limiter policy) {
        this.policy = policy;
    }

    <Q, R> R call(Chain<Q, R> chain) {
        long estimate;
        String model;
        if (chain.request() instanceof ChatRequest r) {
            estimate = estimate(r);
            model = r.model();
        } else if (chain.request() instanceof EmbeddingRequest r) {
            estimate = estimate(r);
            model = r.model();
        } else {
            return chain.proceed(); // the model list is not limited
        }
        Lane lane = policy.lane(chain.provider(), model);
        long handle = lane.acquire(estimate, chain.scope());
        R response = null;
        try {
            response = chain.proceed();
        } catch (LlmException e) {
            pauseIfAsked(lane, e);
            throw e;
        } finally {
            lane.release(estimate, response == null ? -1 : actualTokens(usage(response)), handle);
        }
        follow(lane, headers(response)); // after settling the tokens, to compare like with like
        return response;
    }

    ChatStream stream(Chain<ChatRequest, ChatStream> chain) {
        // The stream's chunks carry the response's headers; they are followed once the stream's
        // tokens are settled, as for a non-streamed chat.
        ChatStream upstream = chain.proceed();
        Lane lane = policy.lane(chain.provider(), chain.request().model());
        long estimate = estimate(chain.request());
        return ChatStream.of(upstream.provider(), subscriber ->
                new PermitRelay(this, lane, estimate, chain.scope(), upstream, subscriber).start());
    }

    private static Usage usage(Object response) {
        return response instanceof ChatResponse r ? r.usage()
                : response instanceof EmbeddingResponse r ? r.usage() : Usage.ZERO;
    }

    private static HttpHeaders headers(Object response) {
        return response instanceof ChatResponse r ? r.headers()
                : response instanceof EmbeddingResponse r ? r.headers() : null;
    }

    /** A 429 with a retry-after pauses the lane for that long (capped). */
    void pauseIfAsked(Lane lane, Throwable error) {
        if (error instanceof LlmException e && e.kind() == LlmException.Kind.RATE_LIMITED
                && e.retryAfter() != null && e.retryAfter().isPositive()) {
            long pause = Math.min(WaitGauge.saturatedNanos(e.retryAfter()), RateLimitPolicy.MAX_PAUSE_NANOS);
            lane.pauseUntil(policy.now() + pause);
        }
    }

    /** Tightens the lane to what the provider's rate-limit headers report, if they do; null or none does nothing. */
    void follow(Lane lane, HttpHeaders headers) {
        if (headers == null || headers.map().isEmpty()) {
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
}
