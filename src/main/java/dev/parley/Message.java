package dev.parley;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation.
 *
 * {@snippet :
 * List<Message> conversation = List.of(
 *         Message.system("You are terse."),
 *         Message.user("What is the capital of France?"));
 * }
 *
 * <p>An assistant message may carry {@linkplain #toolCalls() tool calls} and
 * {@linkplain #reasoning() reasoning}; {@link ChatResponse#message()} gives back such a message
 * with everything the provider needs on the next turn. A tool message answers one tool call.
 *
 * @param role       who the message is from
 * @param content    the content parts; text, and images in user messages
 * @param toolCalls  tool calls requested by an assistant message; empty otherwise
 * @param toolCallId for a tool message, the id of the call it answers; null otherwise
 * @param name       an optional name of the participant; null when not set
 * @param reasoning  for an assistant message, its reasoning to send back; empty otherwise
 */
public record Message(Role role, List<ContentPart> content, List<ToolCall> toolCalls, String toolCallId,
                      String name, List<ReasoningBlock> reasoning) {

    /** Validates the message and copies its lists. */
    public Message {
        Objects.requireNonNull(role, "message.role");
        content = List.copyOf(Objects.requireNonNull(content, "message.content"));
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("message.toolCalls: only assistant messages carry tool calls, not " + role.wireName());
        }
        if (role == Role.TOOL && (toolCallId == null || toolCallId.isEmpty())) {
            throw new IllegalArgumentException("message.toolCallId: a tool message must name the tool call it answers");
        }
        if (role != Role.TOOL && toolCallId != null) {
            throw new IllegalArgumentException("message.toolCallId: only tool messages answer a tool call, not " + role.wireName());
        }
        if (role != Role.USER) {
            for (ContentPart part : content) {
                if (part instanceof ContentPart.Image) {
                    throw new IllegalArgumentException("message.content: images may only be sent in user messages, not " + role.wireName());
                }
            }
        }
    }

    /**
     * {@return a system message}
     *
     * @param text the message's text
     */
    public static Message system(String text) {
        return of(Role.SYSTEM, text);
    }

    /**
     * {@return a developer message}
     *
     * @param text the message's text
     */
    public static Message developer(String text) {
        return of(Role.DEVELOPER, text);
    }

    /**
     * {@return a user message with text}
     *
     * @param text the message's text
     */
    public static Message user(String text) {
        return of(Role.USER, text);
    }

    /**
     * {@return a user message with several parts, such as text and images}
     *
     * @param parts the message's parts, in order
     */
    public static Message user(List<ContentPart> parts) {
        return new Message(Role.USER, parts, null, null, null, null);
    }

    /**
     * {@return an assistant message with text}
     *
     * @param text the assistant's text
     */
    public static Message assistant(String text) {
        return of(Role.ASSISTANT, text);
    }

    /**
     * {@return an assistant message with text (may be empty) and tool calls}
     *
     * @param text the assistant's text
     * @param toolCalls the tool calls the assistant made
     */
    public static Message assistant(String text, List<ToolCall> toolCalls) {
        return new Message(Role.ASSISTANT, textParts(text), toolCalls, null, null, null);
    }

    /**
     * {@return a tool message: the result of a tool call}
     *
     * @param toolCallId the id of the {@link ToolCall} this answers
     * @param result     the result, often JSON text
     */
    public static Message tool(String toolCallId, String result) {
        return new Message(Role.TOOL, textParts(result), null, toolCallId, null, null);
    }

    /**
     * {@return a message of any role with text}
     *
     * @param role the message's role
     * @param text the message's text
     */
    public static Message of(Role role, String text) {
        return new Message(role, textParts(text), null, null, null, null);
    }

    private static List<ContentPart> textParts(String text) {
        Objects.requireNonNull(text, "text");
        return text.isEmpty() ? List.of() : List.of(ContentPart.text(text));
    }

    /** {@return the text parts joined together; "" when there are none} */
    public String text() {
        if (content.size() == 1 && content.get(0) instanceof ContentPart.Text t) {
            return t.text();
        }
        StringBuilder sb = new StringBuilder();
        for (ContentPart part : content) {
            if (part instanceof ContentPart.Text t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    /** {@return whether the content is only text (no images)} */
    public boolean isTextOnly() {
        for (ContentPart part : content) {
            if (!(part instanceof ContentPart.Text)) {
                return false;
            }
        }
        return true;
    }

    /** {@return the reasoning texts joined together; "" when there is none} */
    public String reasoningText() {
        StringBuilder sb = new StringBuilder();
        for (ReasoningBlock b : reasoning) {
            sb.append(b.text());
        }
        return sb.toString();
    }

    /**
     * {@return a copy with this participant name}
     *
     * @param name the participant's name
     */
    public Message withName(String name) {
        return new Message(role, content, toolCalls, toolCallId, name, reasoning);
    }

    /**
     * {@return a copy with this reasoning}
     *
     * @param reasoning the reasoning blocks to send back with the message
     */
    public Message withReasoning(List<ReasoningBlock> reasoning) {
        return new Message(role, content, toolCalls, toolCallId, name, reasoning);
    }
}
