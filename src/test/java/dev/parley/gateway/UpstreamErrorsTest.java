package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;

/** The message the gateway passes on for an error Parley wrote itself: without the provider's name. */
class UpstreamErrorsTest {

    @Test
    void unsupported_dropsTheProviderButKeepsTheDetails() {
        LlmException e = LlmException.newBuilder(Kind.UNSUPPORTED).provider("anthropic")
                .message("embeddings are not supported").statusCode(400).note("(checked before sending)")
                .requestId("req_1").build();
        ApiError error = UpstreamErrors.toApiError(e);
        assertEquals(400, error.status);
        assertEquals("embeddings are not supported (HTTP 400) (checked before sending) [request id req_1]",
                error.getMessage());
    }

    @Test
    void invalidRequestWithoutAProviderMessage_usesParleysMessage() {
        LlmException e = LlmException.newBuilder(Kind.INVALID_REQUEST).provider("openai")
                .message("tools[0].name: must not be empty").build();
        assertEquals("tools[0].name: must not be empty", UpstreamErrors.toApiError(e).getMessage());
        LlmException bare = LlmException.newBuilder(Kind.INVALID_REQUEST).build();
        assertEquals("invalid request", UpstreamErrors.toApiError(bare).getMessage());
    }

    @Test
    void aMessageThatOnlyLooksLikeAPrefix_isKept() {
        // No provider: a message that starts with "openai: " is the message, not a prefix.
        LlmException e = LlmException.newBuilder(Kind.UNSUPPORTED).message("openai: is not a model here").build();
        assertEquals("openai: is not a model here", UpstreamErrors.toApiError(e).getMessage());
    }
}
