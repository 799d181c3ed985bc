package dev.parley.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link JsonCursor#floatValue()} reads a JSON number as the float {@link Float#parseFloat} makes
 * of its text, bit for bit: on the fast path (digits that fit a double, a small power of ten), on
 * the decimals whose nearest double is exactly halfway between two floats (where rounding twice
 * would be wrong), and on everything it leaves to {@code Float.parseFloat}.
 */
class JsonCursorFloatTest {

    private static float read(String number) {
        JsonCursor c = new JsonCursor().reset(("[" + number + "]").getBytes(StandardCharsets.US_ASCII));
        c.beginArray();
        float f = c.floatValue();
        c.next(']');
        c.end();
        return f;
    }

    private static void same(String number) {
        float expected = Float.parseFloat(number);
        float got = read(number);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got),
                () -> number + ": expected " + expected + ", got " + got);
    }

    @Test
    void numbersAsServersPrintThem() {
        Random random = new Random(21);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 6));
            same(Float.toString(f));                        // "-0.0072036064", "1.2345E-5"
            same(Double.toString(f));                       // the float's exact value, to 17 digits
            same(Double.toString(random.nextGaussian() / 30)); // a double's shortest text, as Python's json prints
            same(String.format(Locale.ROOT, "%." + random.nextInt(12) + "f", f));
        }
    }

    @Test
    void randomDigitsAndExponents() {
        Random random = new Random(22);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            if (random.nextBoolean()) {
                s.append('-');
            }
            int whole = random.nextInt(4);
            s.append(whole == 0 ? "0" : Long.toString(1 + (long) (random.nextDouble() * Math.pow(10, whole * 3))));
            if (random.nextBoolean()) {
                s.append('.');
                int n = 1 + random.nextInt(20);
                for (int k = 0; k < n; k++) {
                    s.append((char) ('0' + random.nextInt(10)));
                }
            }
            if (random.nextInt(3) == 0) {
                s.append(random.nextBoolean() ? 'e' : 'E');
                int r = random.nextInt(3);
                s.append(r == 0 ? "" : r == 1 ? "+" : "-");
                s.append(random.nextInt(random.nextBoolean() ? 30 : 60));
            }
            same(s.toString());
        }
    }

    @Test
    void decimalsNextToTheMidpointBetweenTwoFloats() {
        Random random = new Random(23);
        int nearestDoubleIsAMidpoint = 0;
        for (int i = 0; i < 100_000; i++) {
            float f = Float.intBitsToFloat(0x2000_0000 + random.nextInt(0x3F00_0000)); // about 1e-19 to 1e19
            double mid = (double) f + Math.ulp(f) / 2;
            String shortest = Double.toString(mid);          // rounds to the midpoint, but is not it
            same(shortest);
            same(new BigDecimal(mid).toPlainString());       // the midpoint itself: ties to even
            same(new BigDecimal(mid).round(new java.math.MathContext(16)).toString());
            same(new BigDecimal(mid).round(new java.math.MathContext(15)).toString());
            if (new BigDecimal(shortest).precision() <= 16 && Double.parseDouble(shortest) == mid) {
                nearestDoubleIsAMidpoint++;
            }
        }
        assertTrue(nearestDoubleIsAMidpoint > 1000, nearestDoubleIsAMidpoint + " cases on the double-rounding path");
    }

    @Test
    void edgeCases() {
        for (String s : List.of("0", "-0", "0.0", "-0.0", "0e5", "-0E-5", "1", "-1", "2", "1e-7", "1E+2", "1e22", "1e23",
                "1e-22", "1e-23", "9007199254740992", "9007199254740993", "90071992547409921", "1e38", "3.4028235e38",
                "3.4028236e38", "1e39", "1e-45", "1.4e-45", "1e-46", "1.1754943e-38", "123456789012345678901234567890",
                "0.000000000000000000000000000001", "1.00000005960464477539062", "1.0000000596046448", "16777217",
                "1e0001", "1e-0001", "33554431e-1", "0.1", "0.2", "0.3", "-0.0072036064", "0.0123456789")) {
            same(s);
        }
    }

    @Test
    void arraysOfNumbers() {
        Random random = new Random(24);
        for (int n : new int[] {0, 1, 255, 256, 257, 1536, 3072}) {
            float[] v = new float[n];
            List<String> text = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                v[i] = (float) random.nextGaussian();
                text.add(Float.toString(v[i]));
            }
            JsonCursor c = new JsonCursor().reset((" [ " + String.join(" ,\n", text) + " ] ").getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(v, c.floats());
            c.end();
        }
    }

    @Test
    void whatIsNotANumberIsGivenUpOn() {
        for (String s : List.of("[1,\"2\"]", "[1,null]", "[01]", "[1.]", "[.5]", "[1e]", "[+1]", "[1,]", "[NaN]", "[1 2]", "{}")) {
            JsonCursor c = new JsonCursor().reset(s.getBytes(StandardCharsets.US_ASCII));
            assertThrows(JsonCursor.Bail.class, c::floats, s);
        }
    }
}
