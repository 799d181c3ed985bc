package dev.parley.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * The schemas, compared with JSON written by hand from OpenAI's strict-mode rules: every object
 * lists all its properties as required and sets {@code additionalProperties: false}; optional
 * values are required but nullable; recursion goes through {@code $defs} and {@code $ref}.
 */
class JsonSchemaTest {

    enum Mood { HAPPY, SAD }

    record Scalars(String s, boolean b, int i, Long l, short sh, byte by, BigInteger big, double d, Float f,
                   BigDecimal dec, Mood mood) {
    }

    @Description("A line of an order")
    record Item(@Description("what it is") String name, int quantity) {
    }

    record Order(List<Item> items, Map<String, Integer> stock, Optional<String> note,
                 @Description("the buyer's mood, if known") Optional<Mood> mood, Optional<Item> gift) {
    }

    sealed interface Shape permits Circle, Square {
    }

    @Description("a round shape")
    record Circle(double radius) implements Shape {
    }

    record Square(double side) implements Shape {
    }

    record Drawing(List<Shape> shapes) {
    }

    record Node(String name, List<Node> children) {
    }

    record Tree(Node root, Optional<Node> spare) {
    }

    record Generic<T>(T value) {
    }

    record Bad(char c) {
    }

    record IntKeys(Map<Integer, String> m) {
    }

    sealed interface Clash permits Typed {
    }

    record Typed(String type) implements Clash {
    }

    record Twice(Optional<Optional<String>> o) {
    }

    private static void assertSchema(String expected, JsonObject actual) {
        assertEquals(Json.write(Json.parse(expected)), Json.write(actual));
    }

    @Test
    void scalars_mapToTheirJsonTypes() {
        assertSchema("""
                {"type":"object","properties":{
                  "s":{"type":"string"},"b":{"type":"boolean"},"i":{"type":"integer"},"l":{"type":"integer"},
                  "sh":{"type":"integer"},"by":{"type":"integer"},"big":{"type":"integer"},"d":{"type":"number"},
                  "f":{"type":"number"},"dec":{"type":"number"},"mood":{"type":"string","enum":["HAPPY","SAD"]}},
                 "required":["s","b","i","l","sh","by","big","d","f","dec","mood"],"additionalProperties":false}
                """, JsonSchema.of(Scalars.class));
    }

    @Test
    void listsMapsOptionalsAndDescriptions() {
        String item = """
                {"type":"object","properties":{"name":{"type":"string","description":"what it is"},
                 "quantity":{"type":"integer"}},"required":["name","quantity"],"additionalProperties":false,
                 "description":"A line of an order"}""";
        assertSchema("""
                {"type":"object","properties":{
                  "items":{"type":"array","items":%s},
                  "stock":{"type":"array","items":{"type":"object","properties":{"key":{"type":"string"},
                     "value":{"type":"integer"}},"required":["key","value"],"additionalProperties":false}},
                  "note":{"type":["string","null"]},
                  "mood":{"anyOf":[{"type":"string","enum":["HAPPY","SAD"]},{"type":"null"}],
                          "description":"the buyer's mood, if known"},
                  "gift":{"anyOf":[%s,{"type":"null"}]}},
                 "required":["items","stock","note","mood","gift"],"additionalProperties":false}
                """.formatted(item, item), JsonSchema.of(Order.class));
    }

    @Test
    void sealedInterface_isAnyOfRecordsWithATypeProperty() {
        assertSchema("""
                {"type":"object","properties":{"shapes":{"type":"array","items":{"anyOf":[
                  {"type":"object","properties":{"type":{"type":"string","enum":["Circle"]},"radius":{"type":"number"}},
                   "required":["type","radius"],"additionalProperties":false,"description":"a round shape"},
                  {"type":"object","properties":{"type":{"type":"string","enum":["Square"]},"side":{"type":"number"}},
                   "required":["type","side"],"additionalProperties":false}]}}},
                 "required":["shapes"],"additionalProperties":false}
                """, JsonSchema.of(Drawing.class));
    }

    @Test
    void recursiveRoot_refersToItselfWithHash() {
        assertSchema("""
                {"type":"object","properties":{"name":{"type":"string"},
                  "children":{"type":"array","items":{"$ref":"#"}}},
                 "required":["name","children"],"additionalProperties":false}
                """, JsonSchema.of(Node.class));
    }

    @Test
    void recursiveInnerRecord_isDefinedOnceInDefs() {
        assertSchema("""
                {"type":"object","properties":{"root":{"$ref":"#/$defs/Node"},
                  "spare":{"anyOf":[{"$ref":"#/$defs/Node"},{"type":"null"}]}},
                 "required":["root","spare"],"additionalProperties":false,
                 "$defs":{"Node":{"type":"object","properties":{"name":{"type":"string"},
                   "children":{"type":"array","items":{"$ref":"#/$defs/Node"}}},
                   "required":["name","children"],"additionalProperties":false}}}
                """, JsonSchema.of(Tree.class));
    }

    sealed interface Expr permits Num, Add {
    }

    record Num(int value) implements Expr {
    }

    record Add(Expr left, Expr right) implements Expr {
    }

    record Formula(String name, Expr expr) {
    }

    @Test
    void recursiveSealedInterface_isDefinedOnceInDefs() {
        assertSchema("""
                {"type":"object","properties":{"name":{"type":"string"},"expr":{"$ref":"#/$defs/Expr"}},
                 "required":["name","expr"],"additionalProperties":false,
                 "$defs":{"Expr":{"anyOf":[
                   {"type":"object","properties":{"type":{"type":"string","enum":["Num"]},"value":{"type":"integer"}},
                    "required":["type","value"],"additionalProperties":false},
                   {"type":"object","properties":{"type":{"type":"string","enum":["Add"]},
                     "left":{"$ref":"#/$defs/Expr"},"right":{"$ref":"#/$defs/Expr"}},
                    "required":["type","left","right"],"additionalProperties":false}]}}}
                """, JsonSchema.of(Formula.class));
        Formula f = JsonBinder.bind(Json.parse("""
                {"name":"f","expr":{"type":"Add","left":{"type":"Num","value":1},
                 "right":{"type":"Add","left":{"type":"Num","value":2},"right":{"type":"Num","value":3}}}}"""),
                Formula.class);
        assertEquals(new Formula("f", new Add(new Num(1), new Add(new Num(2), new Num(3)))), f);
    }

    @Test
    void unsupportedTypes_failNamingTheType() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonSchema.of(Bad.class))
                .getMessage().contains("char"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonSchema.of(Generic.class))
                .getMessage().contains("generic records"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonSchema.of(IntKeys.class))
                .getMessage().contains("map keys must be String"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonSchema.of(Clash.class))
                .getMessage().contains("cannot have a component named \"type\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> JsonSchema.of(Twice.class))
                .getMessage().contains("Optional of an Optional"));
        assertThrows(IllegalArgumentException.class, () -> JsonSchema.of(Object.class));
    }
}
