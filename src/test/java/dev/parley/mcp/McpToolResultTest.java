package dev.parley.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/** How a tool's result and description are read, and rendered for a model. */
class McpToolResultTest {

    private static McpToolResult result(String json) {
        return McpToolResult.fromJson((JsonObject) Json.parse(json));
    }

    @Test
    void toModelText_joinsTextAndDescribesEveryOtherPart() {
        McpToolResult r = result("""
                {"content":[{"type":"text","text":"first"},
                  {"type":"image","data":"iVBORw0KGgo=","mimeType":"image/png"},
                  {"type":"resource_link","uri":"file:///a.txt","name":"a"},
                  {"type":"resource","resource":{"uri":"file:///b.txt","text":"inside b"}},
                  {"type":"resource","resource":{"uri":"file:///c.bin","blob":"AAAA"}},
                  {"type":"text","text":"last"}]}""");
        assertEquals("first\n[image image/png]\n[resource file:///a.txt]\ninside b\n[resource file:///c.bin]\nlast", r.toModelText());
        assertEquals("first\nlast", r.text());
        assertFalse(r.isError());
        assertNull(r.structuredContent());
    }

    @Test
    void toModelText_withOnlyStructuredContent_isItsJson() {
        McpToolResult r = result("{\"content\":[],\"structuredContent\":{\"t\":21}}");
        assertEquals("{\"t\":21}", r.toModelText());
    }

    @Test
    void toModelText_ofAFailure_saysSo() {
        McpToolResult r = result("{\"content\":[{\"type\":\"text\",\"text\":\"no such city\"}],\"isError\":true}");
        assertTrue(r.isError());
        assertEquals("Error: no such city", r.toModelText());
    }

    @Test
    void fromJson_toleratesMissingAndWronglyTypedMembers() {
        McpToolResult r = result("{\"content\":\"not a list\",\"isError\":\"yes\",\"structuredContent\":[1]}");
        assertEquals("", r.toModelText());
        assertFalse(r.isError());
    }

    @Test
    void aToolWithAnInvalidModelName_isRenamedForTheModel() {
        McpTool tool = McpTool.fromJson((JsonObject) Json.parse("{\"name\":\"files.read\",\"description\":\"Reads\"}"));
        assertEquals("{\"type\":\"object\"}", Json.write(tool.inputSchema()));
        assertThrows(IllegalArgumentException.class, tool::toTool);
        assertEquals("files_read", tool.toTool("files_read").name());
        assertEquals("Reads", tool.toTool("files_read").description());
    }
}
