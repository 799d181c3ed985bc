package dev.parley;

import java.util.Arrays;

/**
 * One embedding vector.
 *
 * <p>The array is shared, not copied, to keep large batches cheap: treat it as read-only.
 *
 * <p>Every value is finite. A provider's vector with NaN or an infinity (a base64 vector can
 * hold any float32 bits, and a number past the float32 range reads as an infinity) fails the
 * call with a {@link LlmException.Kind#SERVER_ERROR} that is not retried, rather than reach
 * code that compares vectors, or JSON, which cannot hold such values.
 *
 * @param index  the position of the input it embeds
 * @param vector the vector; its values are finite
 */
public record Embedding(int index, float[] vector) {

    /**
     * Validates the embedding.
     *
     * @throws IllegalArgumentException if the index is negative, or a value is NaN or infinite
     */
    public Embedding {
        if (index < 0) {
            throw new IllegalArgumentException("embedding.index: must not be negative");
        }
        if (vector == null) {
            throw new IllegalArgumentException("embedding.vector: must not be null");
        }
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new IllegalArgumentException("embedding " + index + ": value " + i + " is " + vector[i]
                        + ", not a finite number");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding e && e.index == index && Arrays.equals(e.vector, vector);
    }

    @Override
    public int hashCode() {
        return 31 * index + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "Embedding[index=" + index + ", dimensions=" + vector.length + "]";
    }
}
