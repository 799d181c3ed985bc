package dev.parley.provider.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.internal.JsonCursor;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;
import dev.parley.support.Fixtures;

/**
 * The chunk read from an event's bytes without a tree ({@link ChunkReader}) is the chunk read from the tree, raw included, for every recorded event;
 * and for any other text it is either that chunk too or it gives the event up to the tree reader.
 */
class ChunkCursorTest {

    private static final List<String> STREAMS = List.of("openai/stream_basic.response.sse",
            "openai/stream_logprobs.response.sse", "openai/stream_tool_call_strict.response.sse",
            "deepseek/reasoner_stream.response.sse");

    /** {@return the data of each event of an SSE body, [DONE] left out} */
    private static List<byte[]> events(String path) {
        List<byte[]> out = new ArrayList<>();
        for (String block : Fixtures.text(path).split("\n\n")) {
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("data:")) {
                    String d = line.substring(5);
                    data.append(data.isEmpty() ? "" : "\n").append(d.startsWith(" ") ? d.substring(1) : d);
                }
            }
            if (!data.isEmpty() && !data.toString().strip().equals("[DONE]")) {
                out.add(data.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** {@return the chunk {@code reader} reads, or "bail"} */
    private static Object fast(ChunkReader reader, byte[] utf8) {
        try {
            ChatChunk c = reader.read(utf8);
            return c == null ? "no chunk" : c;
        } catch (JsonCursor.Bail | dev.parley.json.JsonException e) { // the mapper then reads the tree
            return "bail";
        }
    }

    /** {@return the chunk read from the tree, or the exception it threw} */
    private static Object tree(Dialect dialect, byte[] utf8) {
        try {
            JsonValue v = Json.parse(utf8);
            ChatChunk c = v instanceof JsonObject o ? ChatDecoder.chunk(dialect, o, "req_1") : null;
            return c == null ? "no chunk" : c;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void everyRecordedEventGivesTheSameChunkAndRawAsTheTree() {
        int events = 0;
        int chunks = 0;
        for (String stream : STREAMS) {
            for (Dialect dialect : List.of(Dialect.OPENAI, Dialect.COMPATIBLE)) {
                ChunkReader reader = new ChunkReader(dialect, "req_1"); // one per stream, as the mapper has
                String lastId = null;
                for (byte[] event : events(stream)) {
                    events++;
                    Object fast = fast(reader, event);
                    Object tree = tree(dialect, event);
                    assertFalse(fast.equals("bail"), () -> "gave up on " + new String(event, StandardCharsets.UTF_8));
                    assertEquals(tree, fast, stream);
                    if (fast instanceof ChatChunk c) {
                        chunks++;
                        ChatChunk t = (ChatChunk) tree;
                        assertEquals(t.raw(), c.raw(), "lazily built raw equals the eagerly parsed tree");
                        assertEquals(t.toString(), c.toString());
                        assertEquals(t.hashCode(), c.hashCode());
                        assertSame(c.raw(), c.raw());
                        if (lastId != null && lastId.equals(c.id())) {
                            assertSame(lastId, c.id(), "a repeated id is not made again");
                        }
                        lastId = c.id();
                    }
                }
            }
        }
        assertTrue(events > 100 && chunks > 80, events + " events, " + chunks + " chunks");
    }

    @Test
    void unusualButValidEventsGiveTheSameChunk() {
        List<String> cases = List.of(
                "{}",
                "{\"choices\":[]}",
                "{\"choices\":null,\"usage\":null}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":null}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":null,\"finish_reason\":\"length\"}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"no index\"}}]}",
                "{\"choices\":[{\"index\":1,\"delta\":{\"content\":\"second\"}},{\"index\":0,\"delta\":{\"content\":\"first\"}}]}",
                "{\"choices\":[{\"delta\":{\"content\":\"a\"},\"index\":0},{\"delta\":{\"content\":\"b\"},\"index\":0}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\",\"content\":\"b\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"delta\":{\"refusal\":\"no\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"choices\":[]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tab\\tquote\\\" \\u00e9 \\ud83d\\ude00\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\u00e9 \u4f60\u597d \ud83d\ude00\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"think\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":{\"x\":1},\"content\":\"c\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"rc\",\"reasoning\":\"r\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"r\",\"reasoning\":5,\"content\":\"c\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":null,\"content\":\"x\"}}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":1}}}",
                " \n{ \"id\" : \"a\" , \"model\":\"m\",\"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"x\" } } ] } \n",
                "{\"error\":null,\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}",
                "{\"skip\":[1,-2.5e3,0,true,false,null,{\"a\":[{}]},\"\\u0041\",[]],\"choices\":[{\"index\":-0,\"delta\":{\"content\":\"x\"}}]}");
        for (String text : cases) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            for (Dialect dialect : List.of(Dialect.OPENAI, Dialect.COMPATIBLE)) {
                Object fast = fast(new ChunkReader(dialect, "req_1"), utf8);
                assertFalse(fast.equals("bail"), () -> "gave up on " + text);
                assertEquals(tree(dialect, utf8), fast, text);
            }
        }
    }

    @Test
    void errorsAndOddShapesAreLeftToTheTree() {
        List<String> cases = List.of(
                "{\"error\":{\"message\":\"overloaded\"}}",
                "{\"error\":\"overloaded\"}",
                "{\"object\":\"error\",\"message\":\"bad\"}",
                "{\"choices\":{}}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":5}}]}",
                "{\"choices\":[{\"index\":1.0,\"delta\":{\"content\":\"x\"}}]}",
                "{\"usage\":[]}",
                "[1]",
                "{\"choices\":[]",
                "{\"choices\":[]}x",
                "{\"a\":01}",
                "{\"a\":\"\\x\"}",
                "{\"a\":tru}");
        for (String text : cases) {
            assertEquals("bail", fast(new ChunkReader(Dialect.OPENAI, "req_1"), text.getBytes(StandardCharsets.UTF_8)), text);
        }
    }

    @Test
    void anyTextGivesTheTreesChunkOrIsLeftToTheTree() {
        Random random = new Random(13);
        byte[] alphabet = "{}[],:\"\\ 0-1.eEntrufals\u00e9\n".getBytes(StandardCharsets.UTF_8);
        int agreed = 0;
        ChunkReader reader = new ChunkReader(Dialect.COMPATIBLE, "req_1"); // given up on, and used again
        for (String stream : STREAMS) {
            for (byte[] event : events(stream)) {
                for (int k = 0; k < 40; k++) {
                    byte[] m = mutate(event, random, alphabet);
                    Object fast = fast(reader, m);
                    if (fast.equals("bail")) {
                        continue;
                    }
                    Object tree = tree(Dialect.COMPATIBLE, m);
                    String shown = new String(m, StandardCharsets.UTF_8);
                    assertFalse(tree instanceof Throwable, () -> "read text the tree rejects: " + shown);
                    assertEquals(tree, fast, shown);
                    agreed++;
                }
            }
        }
        assertTrue(agreed > 100, agreed + " mutated events read without a tree");
    }

    private static byte[] mutate(byte[] in, Random random, byte[] alphabet) {
        int at = random.nextInt(in.length);
        byte b = alphabet[random.nextInt(alphabet.length)];
        return switch (random.nextInt(3)) {
            case 0 -> { // replace
                byte[] out = in.clone();
                out[at] = b;
                yield out;
            }
            case 1 -> { // delete
                byte[] out = new byte[in.length - 1];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + 1, out, at, in.length - at - 1);
                yield out;
            }
            default -> { // insert
                byte[] out = new byte[in.length + 1];
                System.arraycopy(in, 0, out, 0, at);
                out[at] = b;
                System.arraycopy(in, at, out, at + 1, in.length - at);
                yield out;
            }
        };
    }

    @Test
    void rawIsParsedOnceFromTheBytesAndAChunkWithoutRawHasNone() {
        byte[] utf8 = "{\"id\":\"x\",\"n\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        ChatChunk c = ChatChunk.newBuilder().textDelta("t").rawJson(utf8).build();
        assertEquals(Json.parse(utf8), c.raw());
        assertSame(c.raw(), c.raw());
        assertNull(ChatChunk.ofText("t").raw());
        assertNotNull(ChatChunk.newBuilder().rawJson(utf8).raw(null).rawJson(utf8).build().raw());
        assertThrows(dev.parley.json.JsonAccessException.class,
                () -> ChatChunk.newBuilder().rawJson("[1]".getBytes(StandardCharsets.UTF_8)).build().raw());
        ChatChunk empty = ChatChunk.newBuilder().build();
        assertEquals("", empty.textDelta());
        assertEquals(List.of(), empty.toolCalls());
        assertTrue(empty.isEmpty());
        assertEquals(empty, ChatChunk.newBuilder().textDelta(null).refusalDelta(null).reasoningDelta(null).build());
    }
}
