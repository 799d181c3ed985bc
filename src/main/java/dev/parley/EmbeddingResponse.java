package dev.parley;

import java.util.List;
import java.util.Objects;

/**
 * The vectors for an {@link EmbeddingRequest}, in input order.
 *
 * @param model      the model that answered
 * @param provider   the provider that answered
 * @param embeddings one per input, in input order
 * @param usage      token counts; {@link Usage#ZERO} when not reported
 * @param requestId  the provider's request id; may be null
 */
public record EmbeddingResponse(String model, String provider, List<Embedding> embeddings, Usage usage, String requestId) {

    /** Validates the response. */
    public EmbeddingResponse {
        Objects.requireNonNull(provider, "provider");
        embeddings = List.copyOf(embeddings);
        usage = usage == null ? Usage.ZERO : usage;
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
