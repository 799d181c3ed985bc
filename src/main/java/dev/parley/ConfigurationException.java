package dev.parley;

/**
 * Parley is not configured for the call: a missing API key, a setting with a bad value. Kind
 * {@link LlmException.Kind#CONFIGURATION}, always. The message names the setting and what to do.
 *
 * <p>Catch this when building an {@code Llm} (it is thrown when settings are read, before any
 * call) to tell a setup mistake from a failed call: it needs a person to fix the settings, and
 * no retry or fallback will help.
 */
public final class ConfigurationException extends LlmException {

    private static final long serialVersionUID = 1L;

    ConfigurationException(Builder b) {
        super(b);
    }
}
