package dev.parley.internal;

import dev.parley.ChatRequest;
import dev.parley.ContentPart;
import dev.parley.EmbeddingRequest;
import dev.parley.Message;
import dev.parley.Tool;
import dev.parley.ToolCall;

/**
 * A quick estimate of a request's prompt tokens, made before the call for budgets and rate
 * limits: about four characters per token for English text, plus a few tokens per message.
 * It is an estimate, reconciled with the provider's real counts after the call.
 */
public final class TokenEstimate {

    /** Tokens counted for an image part, a middling figure across providers. */
    static final int IMAGE_TOKENS = 800;

    private TokenEstimate() {
    }

    /** {@return the estimated prompt tokens of {@code request}} */
    public static long prompt(ChatRequest request) {
        long chars = 0;
        long tokens = 0;
        for (Message m : request.messages()) {
            tokens += 4;
            for (ContentPart p : m.content()) {
                if (p instanceof ContentPart.Text t) {
                    chars += t.text().length();
                } else {
                    tokens += IMAGE_TOKENS;
                }
            }
            for (ToolCall c : m.toolCalls()) {
                chars += c.name().length() + c.arguments().length();
            }
        }
        for (Tool t : request.tools()) {
            chars += t.name().length() + (t.description() == null ? 0 : t.description().length())
                    + t.parameters().toString().length();
        }
        return tokens + (chars + 3) / 4;
    }

    /** {@return the estimated input tokens of {@code request}} */
    public static long prompt(EmbeddingRequest request) {
        long chars = 0;
        for (String s : request.inputs()) {
            chars += s.length();
        }
        return (chars + 3) / 4 + request.inputs().size();
    }
}
