package dev.parley.mcp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonBoolean;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/**
 * A small, sometimes hostile MCP server over stdio, run by the tests as a separate JVM:
 * {@code java -cp target/test-classes:target/classes dev.parley.mcp.FakeMcpServer [mode]}.
 * The tool called decides the misbehaviour ({@code garbage}, {@code huge}, {@code exit},
 * {@code silent}, ...); the mode decides how {@code tools/list} pages.
 */
public final class FakeMcpServer {

    private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    private static final List<String> cancelled = new ArrayList<>();
    private static final List<String> answers = new ArrayList<>();
    private static JsonValue askId;
    private static boolean changed;

    private FakeMcpServer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "plain";
        if (mode.equals("stubborn")) {
            new ProcessBuilder("sleep", "600").start(); // a child of its own, and stdin's end is ignored below
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonObject m = (JsonObject) Json.parse(line);
            JsonValue id = m.members().get("id");
            String method = m.optString("method").orElse(null);
            JsonObject params = m.optObject("params").orElse(JsonObject.of());
            if (method == null) {
                answers.add(Json.write(m)); // the client's answer to one of our requests
                if (answers.size() == 2 && askId != null) {
                    result(askId, text(String.join("\n", answers)));
                }
                continue;
            }
            switch (method) {
                case "initialize" -> result(id, JsonObject.newBuilder()
                        .put("protocolVersion", mode.equals("old") ? "2024-01-01" : params.string("protocolVersion"))
                        .put("capabilities", JsonObject.of("tools", JsonObject.of("listChanged", JsonBoolean.TRUE)))
                        .put("serverInfo", JsonObject.newBuilder().put("name", "fake").put("version", "1").build())
                        .build());
                case "notifications/cancelled" -> cancelled.add(Json.write(params.members().get("requestId")));
                case "tools/list" -> listTools(mode, id, params.optString("cursor").orElse(null));
                case "tools/call" -> call(id, params.string("name"), params);
                case "ping" -> result(id, JsonObject.of());
                case "notifications/initialized" -> {
                    if (mode.equals("deaf")) {
                        Thread.sleep(Long.MAX_VALUE); // never reads its stdin again
                    }
                }
                default -> {
                    if (id != null) {
                        send(JsonObject.newBuilder().put("jsonrpc", "2.0").put("id", id)
                                .put("error", JsonObject.newBuilder().put("code", -32601).put("message", "no " + method).build()).build());
                    }
                }
            }
        }
        if (mode.equals("stubborn")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static void listTools(String mode, JsonValue id, String cursor) {
        JsonObject.Builder page = JsonObject.newBuilder();
        switch (mode) {
            case "pages" -> {
                String name = cursor == null ? "a" : cursor.equals("p2") ? "b" : "c";
                page.put("tools", JsonArray.of(tool(name)));
                if (cursor == null) {
                    page.put("nextCursor", "p2");
                } else if (cursor.equals("p2")) {
                    page.put("nextCursor", "p3");
                }
            }
            case "endless" -> page.put("tools", JsonArray.of(tool("t"))).put("nextCursor", cursor == null ? "c1" : cursor + "1");
            case "same-cursor" -> page.put("tools", JsonArray.of(tool("t"))).put("nextCursor", "again");
            default -> page.put("tools", changed ? JsonArray.of(tool("one"), tool("two")) : JsonArray.of(tool("one")));
        }
        result(id, page.build());
    }

    private static JsonObject tool(String name) {
        return JsonObject.newBuilder().put("name", name)
                .put("inputSchema", JsonObject.of("type", JsonString.of("object"))).build();
    }

    private static void call(JsonValue id, String name, JsonObject params) {
        switch (name) {
            case "garbage" -> raw("this is not JSON-RPC");
            case "huge" -> {
                OUT.print("{\"jsonrpc\":\"2.0\",\"id\":" + Json.write(id) + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"");
                byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 20; i++) {
                    OUT.write(chunk, 0, chunk.length);
                }
                raw("\"}]}}");
            }
            case "exit" -> {
                System.err.println("boom: the fake server is exiting");
                System.err.flush();
                OUT.flush();
                System.exit(3);
            }
            case "silent" -> {
                // Never answers.
            }
            case "cancelled" -> result(id, text(String.join(",", cancelled)));
            case "unknown-id" -> {
                raw("{\"jsonrpc\":\"2.0\",\"id\":987654,\"result\":{}}");
                raw("{\"jsonrpc\":\"2.0\",\"id\":\"not-a-number\",\"result\":{}}");
                result(id, text("after strangers"));
            }
            case "change" -> {
                changed = true;
                raw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}");
                result(id, text("changed"));
            }
            case "ask" -> {
                askId = id;
                raw("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"ping\"}");
                raw("{\"jsonrpc\":\"2.0\",\"id\":\"s2\",\"method\":\"sampling/createMessage\",\"params\":{}}");
            }
            case "error" -> send(JsonObject.newBuilder().put("jsonrpc", "2.0").put("id", id)
                    .put("error", JsonObject.newBuilder().put("code", -32602).put("message", "bad things").build()).build());
            case "progress" -> {
                JsonValue token = params.object("_meta").members().get("progressToken");
                for (double p : new double[] {1, 2, 2, 1, 3}) { // a replayed report and a step back among them
                    raw("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":"
                            + Json.write(token) + ",\"progress\":" + p + ",\"total\":3}}");
                }
                result(id, text("progressed"));
            }
            case "batch" -> raw(Json.write(JsonArray.of(JsonObject.newBuilder().put("jsonrpc", "2.0").put("id", id)
                    .put("result", text("in a batch")).build())));
            default -> result(id, text("called " + name));
        }
    }

    private static JsonObject text(String text) {
        return JsonObject.of("content", JsonArray.of(JsonObject.newBuilder().put("type", "text").put("text", text).build()));
    }

    private static void result(JsonValue id, JsonObject result) {
        send(JsonObject.newBuilder().put("jsonrpc", "2.0").put("id", id).put("result", result).build());
    }

    private static void send(JsonObject message) {
        raw(Json.write(message));
    }

    private static void raw(String line) {
        OUT.print(line);
        OUT.print('\n');
        OUT.flush();
    }
}
