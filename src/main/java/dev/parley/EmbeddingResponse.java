package dev.parley;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The vectors for an {@link EmbeddingRequest}, in input order.
 *
 * @param model      the model that answered
 * @param provider   the provider that answered
 * @param embeddings one per input, in input order
 * @param usage      token counts; {@link Usage#ZERO} when not reported
 * @param requestId  the provider's request id; may be null
 * @param headers    the HTTP response headers; empty when there were none (a cached or scripted
 *                   response). A layer such as the rate limiter follows the provider's
 *                   rate-limit headers from them.
 */
public record EmbeddingResponse(String model, String provider, List<Embedding> embeddings, Usage usage, String requestId,
                                HttpHeaders headers) {

    private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (name, value) -> true);

    /** Validates the response. */
    public EmbeddingResponse {
        Objects.requireNonNull(provider, "provider");
        embeddings = List.copyOf(embeddings);
        usage = usage == null ? Usage.ZERO : usage;
        headers = headers == null ? NO_HEADERS : headers;
    }

    /**
     * A response without HTTP headers.
     *
     * @param model      the model that answered
     * @param provider   the provider that answered
     * @param embeddings one per input, in input order
     * @param usage      token counts; {@link Usage#ZERO} when not reported
     * @param requestId  the provider's request id; may be null
     */
    public EmbeddingResponse(String model, String provider, List<Embedding> embeddings, Usage usage, String requestId) {
        this(model, provider, embeddings, usage, requestId, null);
    }

    /**
     * {@return a copy with these HTTP response headers}
     *
     * @param headers the headers; null for none
     */
    public EmbeddingResponse withHeaders(HttpHeaders headers) {
        return new EmbeddingResponse(model, provider, embeddings, usage, requestId, headers);
    }

    /**
     * {@return the vector of input {@code i}}
     *
     * @param i the input's index, from 0
     */
    public float[] vector(int i) {
        return embeddings.get(i).vector();
    }
}
