package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException.Kind;

/** The taxonomy: every error has a kind, and a subclass exactly for the kinds callers catch on their own. */
class LlmExceptionTest {

    /** The kinds with a subclass; every other kind builds a plain {@code LlmException}. */
    private static final Map<Kind, Class<? extends LlmException>> SUBCLASSES = new EnumMap<>(Map.of(
            Kind.AUTHENTICATION, AuthenticationException.class,
            Kind.INVALID_REQUEST, InvalidRequestException.class,
            Kind.RATE_LIMITED, RateLimitException.class,
            Kind.TIMEOUT, LlmTimeoutException.class,
            Kind.UNSUPPORTED, UnsupportedCapabilityException.class,
            Kind.BUDGET_EXCEEDED, BudgetExceededException.class,
            Kind.CONFIGURATION, ConfigurationException.class));

    @Test
    void everyKind_buildsItsSubclass_orAPlainLlmException() {
        for (Kind kind : Kind.values()) {
            LlmException e = LlmException.newBuilder(kind).message("it failed").build();
            assertEquals(kind, e.kind());
            assertSame(SUBCLASSES.getOrDefault(kind, LlmException.class), e.getClass(), kind.name());
        }
    }

    @Test
    void theSealedHierarchy_isExactlyTheKeptSubclasses() {
        // A new subclass needs a kind of its own and a reason callers catch it: see LlmException's javadoc.
        assertEquals(SUBCLASSES.values().stream().map(Class::getName).sorted().toList(),
                Arrays.stream(LlmException.class.getPermittedSubclasses()).map(Class::getName).sorted().toList());
    }

    @Test
    void toBuilder_keepsClassKindMessageFieldsAndCause() {
        IOException cause = new IOException("connection reset");
        for (Kind kind : Kind.values()) {
            LlmException original = LlmException.newBuilder(kind)
                    .message("it failed")
                    .provider("openai")
                    .statusCode(503)
                    .errorType("server_error")
                    .errorCode("overloaded")
                    .providerMessage("try later")
                    .requestId("req_1")
                    .retryAfter(Duration.ofSeconds(7))
                    .retryable(kind.ordinal() % 2 == 0)
                    .cause(cause)
                    .note("(first note)")
                    .build();
            LlmException copy = original.toBuilder().build();
            assertSame(original.getClass(), copy.getClass(), kind.name());
            assertEquals(kind, copy.kind());
            assertEquals(original.getMessage(), copy.getMessage());
            assertEquals("openai: it failed (HTTP 503, overloaded): try later (first note) [request id req_1]",
                    copy.getMessage());
            assertEquals("openai", copy.provider());
            assertEquals(503, copy.statusCode());
            assertEquals("server_error", copy.errorType());
            assertEquals("overloaded", copy.errorCode());
            assertEquals("try later", copy.providerMessage());
            assertEquals("req_1", copy.requestId());
            assertEquals(Duration.ofSeconds(7), copy.retryAfter());
            assertEquals(original.retryable(), copy.retryable());
            assertSame(cause, copy.getCause());
        }
    }

    @Test
    void toBuilder_ofABareError_staysBare() {
        LlmException original = LlmException.newBuilder(Kind.NOT_FOUND).build();
        LlmException copy = original.toBuilder().build();
        assertEquals("not found", copy.getMessage());
        assertNull(copy.provider());
        assertEquals(0, copy.statusCode());
        assertNull(copy.retryAfter());
        assertNull(copy.getCause());
        assertEquals(original.retryable(), copy.retryable());
    }
}
