package dev.parley;

import java.util.Arrays;

/**
 * One embedding vector.
 *
 * <p>The array is shared, not copied, to keep large batches cheap: treat it as read-only.
 *
 * @param index  the position of the input it embeds
 * @param vector the vector
 */
public record Embedding(int index, float[] vector) {

    /** Validates the embedding. */
    public Embedding {
        if (index < 0) {
            throw new IllegalArgumentException("embedding.index: must not be negative");
        }
        if (vector == null) {
            throw new IllegalArgumentException("embedding.vector: must not be null");
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
