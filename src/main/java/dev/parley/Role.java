package dev.parley;

import java.util.Locale;

/**
 * Who a {@link Message} is from.
 */
public enum Role {
    /** Instructions from the application, sent before the conversation. */
    SYSTEM,
    /** Instructions from the developer; OpenAI's newer name for system messages. */
    DEVELOPER,
    /** The person using the application. */
    USER,
    /** The model. */
    ASSISTANT,
    /** The result of a tool call, answering the assistant's request. */
    TOOL;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** {@return the role as providers write it: "system", "developer", "user", "assistant" or "tool"} */
    public String wireName() {
        return wireName;
    }

    /**
     * {@return the role with this wire name}
     *
     * @param wireName "system", "developer", "user", "assistant" or "tool"
     * @throws IllegalArgumentException if the name is none of those
     */
    public static Role ofWireName(String wireName) {
        for (Role r : values()) {
            if (r.wireName.equals(wireName)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role \"" + wireName
                + "\"; expected system, developer, user, assistant or tool");
    }
}
