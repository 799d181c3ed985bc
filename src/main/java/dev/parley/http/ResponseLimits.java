package dev.parley.http;

import dev.parley.LlmException;
import dev.parley.spi.ProviderConfig;

/**
 * The largest response bodies a provider reads whole (non-streamed calls), so that an endless or
 * huge body fails with an error instead of filling the heap: see
 * {@link Transport#send(java.net.http.HttpClient, java.net.http.HttpRequest, String, dev.parley.ApiKey, long)}.
 * Streamed bodies are not capped as a whole (a long stream is normal); each of their events is
 * (16 MiB; see {@link DecodingPublisher}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param chat       the largest chat (or models list) body, in bytes
 * @param embeddings the largest embeddings body, in bytes
 */
public record ResponseLimits(long chat, long embeddings) {

    /** The provider option that sets both limits, in bytes: {@value}. */
    public static final String OPTION = "maxResponseBytes";

    /** The defaults: 32 MiB for chats, 256 MiB for embeddings. */
    public static final ResponseLimits DEFAULT = new ResponseLimits(
            Transport.DEFAULT_MAX_RESPONSE_BYTES, Transport.DEFAULT_MAX_EMBEDDINGS_RESPONSE_BYTES);

    /** The smallest limit accepted: 1 KiB. */
    static final long MIN = 1024;
    /** The largest limit accepted: about 2 GiB, the most a byte array holds. */
    static final long MAX = Integer.MAX_VALUE - 8;

    /**
     * {@return the limits {@code config} asks for}: its option {@value #OPTION} for every body,
     * else the {@linkplain #DEFAULT defaults}
     *
     * @param config   the provider's settings
     * @param provider the provider's name, for the error
     * @throws LlmException of kind {@link LlmException.Kind#CONFIGURATION} if the option is not a
     *                      whole number of bytes from 1024 to 2147483639
     */
    public static ResponseLimits of(ProviderConfig config, String provider) {
        String value = config.option(OPTION).orElse(null);
        if (value == null) {
            return DEFAULT;
        }
        long bytes;
        try {
            bytes = Long.parseLong(value.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            bytes = -1;
        }
        if (bytes < MIN || bytes > MAX) {
            throw LlmException.newBuilder(LlmException.Kind.CONFIGURATION).provider(provider)
                    .message("option " + OPTION + ": expected a whole number of bytes from " + MIN + " to " + MAX
                            + ", got \"" + value + "\"")
                    .build();
        }
        return new ResponseLimits(bytes, bytes);
    }
}
