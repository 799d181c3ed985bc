package dev.parley.provider.bedrock;

import java.util.Objects;

import dev.parley.ApiKey;
import dev.parley.LlmException;

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

    /**
     * {@return {@code e}, or a copy with the secret access key scrubbed from the provider's message
     * and the request id} (the session token is scrubbed where the error is made). The secret is
     * never sent, so no honest server echoes it; this is for the dishonest one.
     */
    LlmException scrub(LlmException e) {
        String message = e.providerMessage();
        String requestId = e.requestId();
        if ((message == null || !message.contains(secretAccessKey.value()))
                && (requestId == null || !requestId.contains(secretAccessKey.value()))) {
            return e;
        }
        LlmException copy = e.toBuilder().providerMessage(secretAccessKey.redact(message))
                .requestId(secretAccessKey.redact(requestId)).build();
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    @Override
    public String toString() {
        return "AwsCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=[redacted]"
                + (sessionToken == null ? "" : ", sessionToken=[redacted]") + "]";
    }
}
