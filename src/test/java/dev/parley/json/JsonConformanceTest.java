package dev.parley.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feeds every file of JSONTestSuite's {@code test_parsing} set (MIT, see
 * {@code src/test/resources/json-test-suite/LICENSE}) to the byte parser as it is.
 */
class JsonConformanceTest {

    private static final String DIR = "/json-test-suite/";

    /**
     * The implementation-defined cases and what Parley does with each: numbers keep their exact
     * text, so huge and tiny ones parse; anything that is not valid UTF-8 or holds an unpaired
     * surrogate is rejected, never replaced; 500 nested arrays are within the default depth; a
     * leading UTF-8 byte order mark is skipped.
     */
    private static final Map<String, Boolean> IMPLEMENTATION_DEFINED = Map.ofEntries(
            Map.entry("i_number_double_huge_neg_exp.json", true),
            Map.entry("i_number_huge_exp.json", true),
            Map.entry("i_number_neg_int_huge_exp.json", true),
            Map.entry("i_number_pos_double_huge_exp.json", true),
            Map.entry("i_number_real_neg_overflow.json", true),
            Map.entry("i_number_real_pos_overflow.json", true),
            Map.entry("i_number_real_underflow.json", true),
            Map.entry("i_number_too_big_neg_int.json", true),
            Map.entry("i_number_too_big_pos_int.json", true),
            Map.entry("i_number_very_big_negative_int.json", true),
            Map.entry("i_object_key_lone_2nd_surrogate.json", false),
            Map.entry("i_string_1st_surrogate_but_2nd_missing.json", false),
            Map.entry("i_string_1st_valid_surrogate_2nd_invalid.json", false),
            Map.entry("i_string_UTF-16LE_with_BOM.json", false),
            Map.entry("i_string_UTF-8_invalid_sequence.json", false),
            Map.entry("i_string_UTF8_surrogate_U+D800.json", false),
            Map.entry("i_string_incomplete_surrogate_and_escape_valid.json", false),
            Map.entry("i_string_incomplete_surrogate_pair.json", false),
            Map.entry("i_string_incomplete_surrogates_escape_valid.json", false),
            Map.entry("i_string_invalid_lonely_surrogate.json", false),
            Map.entry("i_string_invalid_surrogate.json", false),
            Map.entry("i_string_invalid_utf-8.json", false),
            Map.entry("i_string_inverted_surrogates_U+1D11E.json", false),
            Map.entry("i_string_iso_latin_1.json", false),
            Map.entry("i_string_lone_second_surrogate.json", false),
            Map.entry("i_string_lone_utf8_continuation_byte.json", false),
            Map.entry("i_string_not_in_unicode_range.json", false),
            Map.entry("i_string_overlong_sequence_2_bytes.json", false),
            Map.entry("i_string_overlong_sequence_6_bytes.json", false),
            Map.entry("i_string_overlong_sequence_6_bytes_null.json", false),
            Map.entry("i_string_truncated-utf-8.json", false),
            Map.entry("i_string_utf16BE_no_BOM.json", false),
            Map.entry("i_string_utf16LE_no_BOM.json", false),
            Map.entry("i_structure_500_nested_arrays.json", true),
            Map.entry("i_structure_UTF-8_BOM_empty_object.json", true));

    static List<String> files(String prefix) {
        List<String> names = new ArrayList<>();
        try (InputStream index = JsonConformanceTest.class.getResourceAsStream(DIR + "INDEX")) {
            if (index == null) {
                fail("missing " + DIR + "INDEX");
            }
            for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(prefix)) {
                    names.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    static Stream<String> accepted() {
        return files("y_").stream();
    }

    static Stream<String> rejected() {
        return files("n_").stream();
    }

    static Stream<String> implementationDefined() {
        return files("i_").stream();
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in = JsonConformanceTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                fail("missing test file " + name);
            }
            return in.readAllBytes();
        }
    }

    @Test
    void suite_hasEveryFile() {
        assertEquals(95, files("y_").size());
        assertEquals(188, files("n_").size());
        assertEquals(35, files("i_").size());
        assertEquals(IMPLEMENTATION_DEFINED.keySet(), Set.copyOf(files("i_")));
    }

    @ParameterizedTest
    @MethodSource("accepted")
    void yFile_parses_andRoundTrips(String name) throws IOException {
        JsonValue value = Json.parse(read(name));
        assertEquals(value, Json.parse(Json.write(value)), "write then parse gives an equal value");
        assertEquals(value, Json.parse(Json.writeBytes(value)));
    }

    @ParameterizedTest
    @MethodSource("rejected")
    void nFile_isRejectedWithJsonParseException(String name) throws IOException {
        byte[] bytes = read(name);
        JsonParseException e = assertThrows(JsonParseException.class, () -> Json.parse(bytes));
        assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, "offset within the input: " + e.offset());
        assertTrue(e.line() >= 1 && e.column() >= 1);
    }

    @ParameterizedTest
    @MethodSource("implementationDefined")
    void iFile_hasItsDocumentedOutcome(String name) throws IOException {
        byte[] bytes = read(name);
        if (IMPLEMENTATION_DEFINED.get(name)) {
            JsonValue value = Json.parse(bytes);
            assertEquals(value, Json.parse(Json.write(value)));
        } else {
            assertThrows(JsonParseException.class, () -> Json.parse(bytes));
        }
    }
}
