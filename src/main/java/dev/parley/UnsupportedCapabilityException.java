package dev.parley;

/**
 * The provider cannot do what was asked at all, such as embeddings on Anthropic: kind
 * {@link LlmException.Kind#UNSUPPORTED}, always. Raised before any network call.
 *
 * <p>Catch this to take another path: ask another provider, or do without the feature (no
 * tools, no images, plain JSON instead of a schema).
 */
public final class UnsupportedCapabilityException extends LlmException {

    private static final long serialVersionUID = 1L;

    UnsupportedCapabilityException(Builder b) {
        super(b);
    }
}
