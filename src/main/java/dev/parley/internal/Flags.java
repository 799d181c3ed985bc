package dev.parley.internal;

import java.util.Locale;

/** The one reading of an on/off setting, for the settings, {@code parley serve} and the gateway. Stateless. */
public final class Flags {

    private Flags() {
    }

    /**
     * {@return {@code true} for true, 1, yes or on, {@code false} for false, 0, no or off (any
     * case, surrounding blanks ignored), and null for anything else, which the caller reports}
     *
     * @param value the setting's text, not null
     */
    public static Boolean parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> Boolean.TRUE;
            case "false", "0", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }
}
