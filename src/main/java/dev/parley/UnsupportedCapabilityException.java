package dev.parley;

/**
 * The provider cannot do what was asked at all, such as embeddings on Anthropic. Raised before any network call.
 */
public final class UnsupportedCapabilityException extends LlmException {

    private static final long serialVersionUID = 1L;

    UnsupportedCapabilityException(Builder b) {
        super(b);
    }
}
