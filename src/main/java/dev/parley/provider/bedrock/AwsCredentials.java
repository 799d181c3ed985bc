package dev.parley.provider.bedrock;

import java.util.Objects;

import dev.parley.ApiKey;

/**
 * An AWS access key: its id, its secret and, for temporary credentials, a session token.
 *
 * <p>The id is not a secret (it shows in every request's {@code Authorization} header); the secret
 * never leaves the process (only signatures made with it do); the session token is sent as
 * {@code x-amz-security-token}. {@link #toString()} shows the id only.
 *
 * @param accessKeyId     such as {@code AKIAIOSFODNN7EXAMPLE}
 * @param secretAccessKey the secret
 * @param sessionToken    the session token of temporary credentials, or null
 */
record AwsCredentials(String accessKeyId, ApiKey secretAccessKey, ApiKey sessionToken) {

    AwsCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    /** {@return the key to scrub from messages}: the session token, the one secret that crosses the wire */
    ApiKey scrubbed() {
        return sessionToken != null ? sessionToken : secretAccessKey;
    }

    @Override
    public String toString() {
        return "AwsCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=[redacted]"
                + (sessionToken == null ? "" : ", sessionToken=[redacted]") + "]";
    }
}
