package dev.parley;

/**
 * Parley is not configured for the call: a missing API key, a setting with a bad value. The message names the setting and what to do.
 */
public final class ConfigurationException extends LlmException {

    private static final long serialVersionUID = 1L;

    ConfigurationException(Builder b) {
        super(b);
    }
}
