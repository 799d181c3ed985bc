package dev.parley.provider.bedrock;

import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import dev.parley.ApiKey;
import dev.parley.LlmException;
import dev.parley.http.ResponseLimits;
import dev.parley.http.Transport;
import dev.parley.provider.BuiltInProviders;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;
import dev.parley.spi.ProviderFactory;

/**
 * Makes providers for Amazon Bedrock's runtime API (Converse, ConverseStream, InvokeModel for
 * embeddings); its name is {@code "bedrock"}.
 *
 * <p>Settings read from {@link ProviderConfig}:
 * <ul>
 * <li>{@code apiKey}: the AWS secret access key; required.</li>
 * <li>option {@code accessKeyId}: the AWS access key id; required.</li>
 * <li>option {@code region}: such as {@code us-east-1}; required (requests are signed for it).</li>
 * <li>header {@code x-amz-security-token}: the session token of temporary credentials. Every
 *     {@code x-amz-*} header configured is signed.</li>
 * <li>{@code baseUrl}: default {@code https://bedrock-runtime.{region}.amazonaws.com}; set it for a
 *     VPC endpoint or a test server.</li>
 * <li>{@code httpClient}: default {@link Transport#sharedClient()}. {@code headers}: sent with
 *     every request.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe; public only because {@link java.util.ServiceLoader} needs it.
 */
public final class BedrockProviderFactory implements ProviderFactory {

    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)+");

    /** Creates the factory; {@link java.util.ServiceLoader} calls this. */
    public BedrockProviderFactory() {
    }

    @Override
    public String name() {
        return "bedrock";
    }

    @Override
    public Provider create(ProviderConfig config) {
        return create(config, Clock.systemUTC());
    }

    /** Creates a provider that dates its signatures by {@code clock} (tests pass a fixed one). */
    Provider create(ProviderConfig config, Clock clock) {
        String name = config.name() != null ? config.name() : name();
        String region = config.option("region").orElse(null);
        if (region == null || !REGION.matcher(region).matches()) {
            throw configuration(name, region == null ? "no AWS region: set AWS_REGION, or give the option region"
                    : "option region: expected an AWS region such as us-east-1, got \"" + region + "\"");
        }
        String keyId = config.option("accessKeyId").orElse(null);
        if (config.apiKey() == null || keyId == null) {
            throw configuration(name, "no AWS credentials: give the secret access key as the API key and the access"
                    + " key id as the option accessKeyId (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
        }
        ApiKey token = null;
        for (Map.Entry<String, String> h : config.headers().entrySet()) {
            if (h.getKey().equalsIgnoreCase(BedrockProvider.SESSION_TOKEN_HEADER)) {
                try {
                    token = ApiKey.of(h.getValue());
                } catch (IllegalArgumentException e) {
                    throw configuration(name, "the session token is not usable: " + e.getMessage());
                }
            }
        }
        URI base = config.baseUrl() != null ? config.baseUrl()
                : URI.create("https://bedrock-runtime." + region + ".amazonaws.com");
        return new BedrockProvider(name, base, region, new AwsCredentials(keyId, config.apiKey(), token),
                config.httpClient() != null ? config.httpClient() : Transport.sharedClient(),
                config.headers(), ResponseLimits.of(config, name), clock);
    }

    /**
     * Reads the AWS credentials and region (see the README: {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}, {@code AWS_REGION} or
     * {@code AWS_DEFAULT_REGION}, else profile {@code AWS_PROFILE} of the shared credentials and
     * config files), {@code BEDROCK_BASE_URL} and {@code LLM_MAX_RESPONSE_BYTES}.
     */
    @Override
    public void configure(ProviderEnvironment env, ProviderConfig.Builder config) {
        AwsProfiles.Found found = AwsProfiles.resolve(env);
        if (found.region() == null) {
            throw ProviderEnvironment.invalid("AWS_REGION", "the bedrock provider needs a region: set AWS_REGION (or"
                    + " AWS_DEFAULT_REGION, or region in the profile of the shared config file)");
        }
        String region = found.region().toLowerCase(Locale.ROOT);
        if (!REGION.matcher(region).matches()) {
            throw ProviderEnvironment.invalid("AWS_REGION", "expected an AWS region such as us-east-1, got \""
                    + found.region() + "\"");
        }
        AwsCredentials c = found.credentials();
        config.apiKey(c.secretAccessKey()).option("accessKeyId", c.accessKeyId()).option("region", region)
                .baseUrl(env.url("BEDROCK_BASE_URL"));
        if (c.sessionToken() != null) {
            config.header(BedrockProvider.SESSION_TOKEN_HEADER, c.sessionToken().value());
        }
        BuiltInProviders.configureCommon(env, config);
    }

    /** {@return {@code BEDROCK_MODEL}, else {@code amazon.nova-lite-v1:0}} */
    @Override
    public String defaultModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "BEDROCK_MODEL", "amazon.nova-lite-v1:0");
    }

    /** {@return {@code BEDROCK_EMBEDDING_MODEL}, else {@code amazon.titan-embed-text-v2:0}} */
    @Override
    public String defaultEmbeddingModel(ProviderEnvironment env) {
        return BuiltInProviders.orDefault(env, "BEDROCK_EMBEDDING_MODEL", "amazon.titan-embed-text-v2:0");
    }

    private static LlmException configuration(String name, String message) {
        return LlmException.newBuilder(LlmException.Kind.CONFIGURATION).provider(name).message(message).build();
    }
}
