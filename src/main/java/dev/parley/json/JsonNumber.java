package dev.parley.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Objects;

/**
 * A JSON number that keeps its exact text.
 *
 * <p>Integers beyond {@code long} and decimals beyond {@code double} survive parse and write
 * unchanged. The conversions fail with an {@link ArithmeticException} instead of rounding to
 * infinity or wrapping around. Two numbers are equal when their texts are equal, so {@code 1}
 * and {@code 1.0} are different values. Immutable and thread-safe.
 */
public final class JsonNumber implements JsonValue {

    /** Numbers whose digits before the exponent exceed this are refused by the {@code BigInteger} conversion. */
    private static final int MAX_BIG_INTEGER_DIGITS = 10_000;

    /** The exact text, or null when the number is the integer {@link #small}. */
    private final String text;
    private final long small;

    JsonNumber(long small) {
        this.text = null;
        this.small = small;
    }

    JsonNumber(String text) {
        this.text = text;
        this.small = 0;
    }

    /** {@return the JSON number for an integer} */
    public static JsonNumber of(long value) {
        return new JsonNumber(value);
    }

    /**
     * {@return the JSON number for a finite {@code double}, written as {@link Double#toString(double)} does}
     *
     * @throws IllegalArgumentException if {@code value} is NaN or infinite, which JSON cannot express
     */
    public static JsonNumber of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no number for " + value);
        }
        return new JsonNumber(Double.toString(value));
    }

    /** {@return the JSON number for a {@code BigDecimal}, keeping its scale} */
    public static JsonNumber of(BigDecimal value) {
        return new JsonNumber(Objects.requireNonNull(value, "value").toString());
    }

    /** {@return the JSON number for a {@code BigInteger}} */
    public static JsonNumber of(BigInteger value) {
        return new JsonNumber(Objects.requireNonNull(value, "value").toString());
    }

    /**
     * {@return the JSON number with exactly this text}
     *
     * @param text a JSON number literal such as {@code -12.5e3}
     * @throws JsonParseException if {@code text} is not a JSON number literal
     */
    public static JsonNumber parse(String text) {
        JsonValue value = Json.parse(text);
        if (value instanceof JsonNumber n) {
            return n;
        }
        throw new JsonParseException("expected a number, got " + value.kind(), 0, 1, 1);
    }

    @Override
    public String kind() {
        return "number";
    }

    /** {@return whether the text has no fraction and no exponent, such as {@code -42}} */
    public boolean isIntegerText() {
        if (text == null) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.' || c == 'e' || c == 'E') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return the number as a {@code long}}
     *
     * @throws ArithmeticException if it has a fraction or lies outside the range of {@code long}
     */
    public long longValue() {
        if (text == null) {
            return small;
        }
        if (isIntegerText() && text.length() <= 20) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new ArithmeticException("number " + abbreviated() + " does not fit in a long");
            }
        }
        try {
            return bigIntegerValue().longValueExact();
        } catch (ArithmeticException e) {
            throw new ArithmeticException("number " + abbreviated() + " is not an integer that fits in a long");
        }
    }

    /**
     * {@return the number as an {@code int}}
     *
     * @throws ArithmeticException if it has a fraction or lies outside the range of {@code int}
     */
    public int intValue() {
        long v = longValue();
        if ((int) v != v) {
            throw new ArithmeticException("number " + abbreviated() + " does not fit in an int");
        }
        return (int) v;
    }

    /**
     * {@return the nearest {@code double}; decimals with more digits than a double holds are rounded}
     *
     * @throws ArithmeticException if the number is too large for a {@code double}
     */
    public double doubleValue() {
        if (text == null) {
            return small;
        }
        double d = Double.parseDouble(text);
        if (Double.isInfinite(d)) {
            throw new ArithmeticException("number " + abbreviated() + " is too large for a double");
        }
        return d;
    }

    /**
     * {@return the number as a {@code BigInteger}}
     *
     * @throws ArithmeticException if it has a fraction, or has more than 10,000 digits
     */
    public BigInteger bigIntegerValue() {
        if (text == null) {
            return BigInteger.valueOf(small);
        }
        BigDecimal d = bigDecimalValue();
        if (d.signum() == 0) {
            return BigInteger.ZERO;
        }
        long digits = (long) d.precision() - d.scale();
        if (digits > MAX_BIG_INTEGER_DIGITS) {
            throw new ArithmeticException("number " + abbreviated() + " has more than "
                    + MAX_BIG_INTEGER_DIGITS + " digits");
        }
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new ArithmeticException("number " + abbreviated() + " is not an integer");
        }
    }

    /**
     * {@return the exact value as a {@code BigDecimal}}
     *
     * @throws ArithmeticException if the exponent is beyond what {@code BigDecimal} can hold
     */
    public BigDecimal bigDecimalValue() {
        if (text == null) {
            return BigDecimal.valueOf(small);
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new ArithmeticException("number " + abbreviated() + " has an exponent too large for a BigDecimal");
        }
    }

    private String abbreviated() {
        String t = toString();
        return t.length() <= 40 ? t : t.substring(0, 37) + "...";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof JsonNumber n)) {
            return false;
        }
        if (text == null && n.text == null) {
            return small == n.small;
        }
        return toString().equals(n.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** {@return the number's exact JSON text} */
    @Override
    public String toString() {
        return text != null ? text : Long.toString(small);
    }

    /** Writes the number's text; for the writer, to avoid building a String for small integers. */
    boolean isSmall() {
        return text == null;
    }

    long small() {
        return small;
    }

    String text() {
        return text;
    }
}
