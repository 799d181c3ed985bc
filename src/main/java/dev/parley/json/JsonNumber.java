package dev.parley.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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

    /**
     * The exact text, or null when the number is held in {@link #small} and {@link #scale}:
     * the integer {@code small} when {@code scale == 0}; otherwise the plain decimal
     * {@code small / 10^scale} written with exactly {@code scale} fraction digits and no
     * exponent, such as {@code -0.0048203478}, with {@code small != 0}, so that the text is
     * uniquely determined. The parser uses that form for decimals of up to 18 digits, the
     * floats of embeddings, to spare a String per number.
     */
    private final String text;
    private final long small;
    private final int scale;

    JsonNumber(long small) {
        this.text = null;
        this.small = small;
        this.scale = 0;
    }

    /** A plain decimal: {@code unscaled != 0}, {@code 0 < scale}, at most 18 digits in all. */
    JsonNumber(long unscaled, int scale) {
        this.text = null;
        this.small = unscaled;
        this.scale = scale;
    }

    JsonNumber(String text) {
        this.text = text;
        this.small = 0;
        this.scale = 0;
    }

    /** Powers of ten that a double holds exactly. */
    private static final double[] EXACT_POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };

    /** The integers 0 to 255, which responses repeat (indexes, token counts). */
    private static final JsonNumber[] SMALL = new JsonNumber[256];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = new JsonNumber(i);
        }
    }

    /**
     * {@return the JSON number for an integer}
     *
     * @param value the number
     */
    public static JsonNumber of(long value) {
        return value >= 0 && value < SMALL.length ? SMALL[(int) value] : new JsonNumber(value);
    }

    /**
     * {@return the JSON number for a finite {@code double}, written as {@link Double#toString(double)} does}
     *
     * @param value the number
     * @throws IllegalArgumentException if {@code value} is NaN or infinite, which JSON cannot express
     */
    public static JsonNumber of(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON has no number for " + value);
        }
        return new JsonNumber(Double.toString(value));
    }

    /**
     * {@return the JSON number for a {@code BigDecimal}, keeping its scale}
     *
     * @param value the number
     */
    public static JsonNumber of(BigDecimal value) {
        return new JsonNumber(Objects.requireNonNull(value, "value").toString());
    }

    /**
     * {@return the JSON number for a {@code BigInteger}}
     *
     * @param value the number
     */
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
            return scale == 0;
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
        if (isSmall()) {
            return small;
        }
        String t = toString();
        if (isIntegerText() && t.length() <= 20) {
            try {
                return Long.parseLong(t);
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
            if (scale == 0) {
                return small;
            }
            // Both operands are exact doubles, and IEEE division rounds correctly, so this is
            // the double nearest the decimal, as Double.parseDouble would give.
            if (Math.abs(small) < (1L << 53) && scale < EXACT_POWERS_OF_TEN.length) {
                return small / EXACT_POWERS_OF_TEN[scale];
            }
        }
        double d = Double.parseDouble(toString());
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
        if (isSmall()) {
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
            return BigDecimal.valueOf(small, scale);
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
            return small == n.small && scale == n.scale;
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
        if (text != null) {
            return text;
        }
        if (scale == 0) {
            return Long.toString(small);
        }
        byte[] b = new byte[decimalLength()];
        writeDecimal(b, 0);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    // For the writer, which writes the number's text without building a String.

    /** {@return whether the number is the integer {@link #small()}} */
    boolean isSmall() {
        return text == null && scale == 0;
    }

    /** {@return whether the number is a plain decimal held in {@link #small()} and a scale} */
    boolean isDecimal() {
        return text == null && scale != 0;
    }

    long small() {
        return small;
    }

    /** {@return the exact text, or null when {@link #isSmall()} or {@link #isDecimal()}} */
    String text() {
        return text;
    }

    /** {@return the length of the text of a decimal} */
    int decimalLength() {
        long m = Math.abs(small); // at most 18 digits, so no overflow
        int digits = 1;
        for (long t = m; t >= 10; t /= 10) {
            digits++;
        }
        return (small < 0 ? 1 : 0) + Math.max(digits, scale + 1) + 1;
    }

    /** Writes the text of a decimal, {@link #decimalLength()} bytes, at {@code p}; {@return the end} */
    int writeDecimal(byte[] b, int p) {
        int end = p + decimalLength();
        long m = Math.abs(small);
        int q = end;
        for (int i = 0; i < scale; i++) {
            b[--q] = (byte) ('0' + m % 10);
            m /= 10;
        }
        b[--q] = '.';
        do {
            b[--q] = (byte) ('0' + m % 10);
            m /= 10;
        } while (m != 0);
        if (small < 0) {
            b[--q] = '-';
        }
        return end;
    }
}
