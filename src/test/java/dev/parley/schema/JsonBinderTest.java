package dev.parley.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonValue;

class JsonBinderTest {

    enum Mood { HAPPY, SAD }

    record Scalars(String s, boolean b, int i, Long l, short sh, byte by, BigInteger big, double d, Float f,
                   BigDecimal dec, Mood mood) {
    }

    record Item(String name, int quantity) {
        Item {
            if (quantity < 0) {
                throw new IllegalArgumentException("quantity must not be negative");
            }
        }
    }

    record Order(List<Item> items, Map<String, Integer> stock, Optional<String> note, Optional<Item> gift) {
    }

    sealed interface Shape permits Circle, Square {
    }

    record Circle(double radius) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    record Drawing(List<Shape> shapes) {
    }

    record Node(String name, List<Node> children) {
    }

    private static <T> T bind(String json, Class<T> type) {
        return JsonBinder.bind(Json.parse(json), type);
    }

    private static void assertFails(String path, String reason, String json, Class<?> type) {
        JsonBindException e = assertThrows(JsonBindException.class, () -> bind(json, type));
        assertEquals(path, e.path());
        assertEquals(reason, e.reason());
        assertEquals(path + ": " + reason, e.getMessage());
    }

    @Test
    void scalars_bind() {
        Scalars s = bind("""
                {"s":"x","b":true,"i":-7,"l":9007199254740993,"sh":300,"by":-128,"big":123456789012345678901234567890,
                 "d":1.5,"f":2.25,"dec":0.10,"mood":"SAD","extra":"ignored"}""", Scalars.class);
        assertEquals(new Scalars("x", true, -7, 9007199254740993L, (short) 300, (byte) -128,
                new BigInteger("123456789012345678901234567890"), 1.5, 2.25f, new BigDecimal("0.10"), Mood.SAD), s);
    }

    @Test
    void listsMapsAndOptionals_bind() {
        Order o = bind("""
                {"items":[{"name":"tea","quantity":2}],"stock":[{"key":"tea","value":5},{"key":"milk","value":0}],
                 "note":null,"gift":{"name":"cup","quantity":1}}""", Order.class);
        assertEquals(new Order(List.of(new Item("tea", 2)), Map.of("tea", 5, "milk", 0), Optional.empty(),
                Optional.of(new Item("cup", 1))), o);
        assertEquals(List.of("tea", "milk"), List.copyOf(o.stock().keySet()));
        Order plain = bind("{\"items\":[],\"stock\":{\"a\":1}}", Order.class);
        assertEquals(Map.of("a", 1), plain.stock());
        assertEquals(Optional.empty(), plain.note());
        assertThrows(UnsupportedOperationException.class, () -> plain.items().add(new Item("x", 1)));
    }

    @Test
    void sealedInterface_bindsByTypeProperty() {
        Drawing d = bind("{\"shapes\":[{\"type\":\"Square\",\"side\":2},{\"radius\":1,\"type\":\"Circle\"}]}",
                Drawing.class);
        assertEquals(new Drawing(List.of(new Square(2), new Circle(1))), d);
    }

    @Test
    void recursiveRecord_binds() {
        assertEquals(new Node("a", List.of(new Node("b", List.of()))),
                bind("{\"name\":\"a\",\"children\":[{\"name\":\"b\",\"children\":[]}]}", Node.class));
    }

    @Test
    void errors_nameThePathAndTheReason() {
        assertFails("$.items[1].quantity", "expected a whole number, got a string",
                "{\"items\":[{\"name\":\"a\",\"quantity\":1},{\"name\":\"b\",\"quantity\":\"2\"}],\"stock\":{}}",
                Order.class);
        assertFails("$.items[0].name", "missing", "{\"items\":[{\"quantity\":1}],\"stock\":{}}", Order.class);
        assertFails("$.items", "expected an array, got null", "{\"items\":null,\"stock\":{}}", Order.class);
        assertFails("$.items[0]", "rejected by Item: quantity must not be negative",
                "{\"items\":[{\"name\":\"a\",\"quantity\":-1}],\"stock\":{}}", Order.class);
        assertFails("$.stock[1].key", "the key \"a\" appears twice",
                "{\"items\":[],\"stock\":[{\"key\":\"a\",\"value\":1},{\"key\":\"a\",\"value\":2}]}", Order.class);
        assertFails("$.stock[\"a b\"]", "expected a whole number, got a boolean",
                "{\"items\":[],\"stock\":{\"a b\":true}}", Order.class);
        assertFails("$.shapes[0].type", "expected one of \"Circle\", \"Square\", got \"Triangle\"",
                "{\"shapes\":[{\"type\":\"Triangle\"}]}", Drawing.class);
        assertFails("$.shapes[0].type", "expected one of \"Circle\", \"Square\", got nothing",
                "{\"shapes\":[{\"side\":1}]}", Drawing.class);
        assertFails("$", "expected an object, got an array", "[]", Drawing.class);
    }

    @Test
    void numbers_outOfRange_areErrorsNotWrapped() {
        String base = "{\"s\":\"x\",\"b\":true,\"i\":%s,\"l\":%s,\"sh\":%s,\"by\":1,\"big\":1,\"d\":%s,\"f\":%s,"
                + "\"dec\":1,\"mood\":\"%s\"}";
        assertFails("$.i", "expected a whole number between -2147483648 and 2147483647, got 2147483648",
                base.formatted("2147483648", 1, 1, 1, 1, "SAD"), Scalars.class);
        assertFails("$.i", "expected a whole number between -2147483648 and 2147483647, got 1.5",
                base.formatted("1.5", 1, 1, 1, 1, "SAD"), Scalars.class);
        assertFails("$.l", "expected a whole number between -9223372036854775808 and 9223372036854775807,"
                + " got 9223372036854775808", base.formatted(1, "9223372036854775808", 1, 1, 1, "SAD"), Scalars.class);
        assertFails("$.sh", "expected a whole number between -32768 and 32767, got 40000",
                base.formatted(1, 1, 40000, 1, 1, "SAD"), Scalars.class);
        assertFails("$.f", "the number 1e300 is too large for a float",
                base.formatted(1, 1, 1, 1, "1e300", "SAD"), Scalars.class);
        assertFails("$.mood", "expected one of \"HAPPY\", \"SAD\", got \"sad\"",
                base.formatted(1, 1, 1, 1, 1, "sad"), Scalars.class);
        assertEquals(3, bind(base.formatted("3.0", 1, 1, 1, 1, "SAD"), Scalars.class).i());
    }

    @Test
    void tooDeep_failsWithoutOverflowingTheStack() {
        StringBuilder json = new StringBuilder();
        int depth = JsonBinder.MAX_DEPTH;
        for (int i = 0; i < depth; i++) {
            json.append("{\"name\":\"n\",\"children\":[");
        }
        json.append("]}".repeat(depth));
        JsonValue v = Json.parse(json);
        JsonBindException e = assertThrows(JsonBindException.class, () -> JsonBinder.bind(v, Node.class));
        assertEquals("nested deeper than " + JsonBinder.MAX_DEPTH + " levels", e.reason());
    }

    @Test
    void primitives_bindToBoxes() {
        assertEquals(5, JsonBinder.bind(Json.parse("5"), int.class));
        assertEquals(List.of("a"), JsonBinder.bind(Json.parse("[\"a\"]"),
                Holder.class.getRecordComponents()[0].getGenericType()));
    }

    record Holder(List<String> values) {
    }

    @Test
    void toJson_writesWhatBindReads() {
        JsonValue json = Json.parse("{\"items\":[{\"name\":\"tea\",\"quantity\":2}],\"stock\":{\"tea\":5},"
                + "\"note\":null,\"gift\":{\"name\":\"cup\",\"quantity\":1}}");
        Order order = JsonBinder.bind(json, Order.class);

        assertEquals(json, JsonBinder.toJson(order));
        assertEquals(order, JsonBinder.bind(JsonBinder.toJson(order), Order.class));
    }

    @Test
    void toJson_namesTheVariantOfASealedInterface() {
        Drawing d = new Drawing(List.of(new Circle(1.5), new Square(2)));

        assertEquals("{\"shapes\":[{\"type\":\"Circle\",\"radius\":1.5},{\"type\":\"Square\",\"side\":2.0}]}",
                Json.write(JsonBinder.toJson(d)));
        assertEquals(d, JsonBinder.bind(JsonBinder.toJson(d), Drawing.class));
    }

    @Test
    void toJson_refusesWhatHasNoJsonForm_andCycles() {
        assertThrows(IllegalArgumentException.class, () -> JsonBinder.toJson(new Object()));
        List<Object> cycle = new java.util.ArrayList<>();
        cycle.add(cycle);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonBinder.toJson(cycle));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }
}
