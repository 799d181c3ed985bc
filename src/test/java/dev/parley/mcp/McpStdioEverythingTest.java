package dev.parley.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.testing.ScriptedProvider;
import dev.parley.tools.ToolLoop;
import dev.parley.tools.ToolLoopResult;
import dev.parley.tools.Toolbox;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/** The client against the reference server from npm, started as a child process (stdio). */
class McpStdioEverythingTest {

    private static McpClient mcp;

    @BeforeAll
    static void connect() throws Exception {
        mcp = McpClient.stdio(EverythingServer.command("stdio")).requestTimeout(Duration.ofSeconds(30)).connect();
    }

    @AfterAll
    static void close() {
        if (mcp != null) {
            mcp.close();
        }
    }

    @Test
    void connect_negotiatesTheNewestRevisionAndReadsTheServerInfo() {
        assertEquals(McpClient.PROTOCOL_VERSION, mcp.protocolVersion());
        assertEquals("mcp-servers/everything", mcp.serverInfo().string("name"));
        assertTrue(mcp.serverCapabilities().has("tools"));
        assertTrue(mcp.toString().contains("stdio node"), mcp.toString());
    }

    @Test
    void listTools_givesTheToolsWithTheirSchemas_andTheyConvertToModelTools() {
        Map<String, McpTool> tools = mcp.listTools().stream().collect(Collectors.toMap(McpTool::name, t -> t));
        assertTrue(tools.keySet().containsAll(List.of("echo", "get-sum", "get-structured-content",
                "trigger-long-running-operation")), tools.keySet().toString());
        McpTool echo = tools.get("echo");
        assertEquals("Echo Tool", echo.title());
        assertTrue(echo.inputSchema().object("properties").has("message"));
        assertTrue(echo.annotations().booleanValue("readOnlyHint"));
        Tool tool = echo.toTool();
        assertEquals("echo", tool.name());
        assertEquals("Echoes back the input string", tool.description());
        assertEquals(echo.inputSchema(), tool.parameters());
        assertNotNull(tools.get("get-structured-content").outputSchema());
        assertEquals("everything_get-sum", tools.get("get-sum").toTool("everything_get-sum").name());
        assertTrue(mcp.listTools() == mcp.listTools(), "kept until the server says the list changed");
    }

    @Test
    void callTool_echoAndSum_giveTheirText() {
        McpToolResult echo = mcp.callTool("echo", JsonObject.of("message", JsonString.of("hello")));
        assertFalse(echo.isError());
        assertEquals("Echo: hello", echo.text());
        assertEquals("Echo: hello", echo.toModelText());
        McpToolResult sum = mcp.callTool("get-sum", JsonObject.of("a", JsonNumber.of(2), "b", JsonNumber.of(40)));
        assertEquals("The sum of 2 and 40 is 42.", sum.text());
    }

    @Test
    void callTool_structuredContent_isKeptAsJson() {
        McpToolResult r = mcp.callTool("get-structured-content", JsonObject.of("location", JsonString.of("Chicago")));
        assertFalse(r.isError());
        assertEquals(36, r.structuredContent().intValue("temperature"));
        assertEquals("Light rain / drizzle", r.structuredContent().string("conditions"));
    }

    @Test
    void callTool_badArgumentsOrUnknownTool_isAToolError_notAnException() {
        McpToolResult bad = mcp.callTool("get-sum", JsonObject.of("a", JsonString.of("two")));
        assertTrue(bad.isError());
        assertTrue(bad.toModelText().startsWith("Error: "), bad.toModelText());
        McpToolResult unknown = mcp.callTool("no-such-tool", JsonObject.of());
        assertTrue(unknown.isError());
        assertTrue(unknown.text().contains("no-such-tool"), unknown.text());
    }

    @Test
    void callTool_longRunning_reportsProgress() {
        List<McpProgress> progress = new CopyOnWriteArrayList<>();
        McpToolResult r = mcp.callTool("trigger-long-running-operation",
                JsonObject.of("duration", JsonNumber.of(0.4), "steps", JsonNumber.of(4)), progress::add);
        assertFalse(r.isError(), r.toModelText());
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0), progress.stream().map(McpProgress::progress).toList());
        assertTrue(progress.stream().allMatch(p -> p.total() == 4.0), progress.toString());
    }

    @Test
    void callTool_pastItsTimeout_isCancelled_andTheSessionGoesOn() {
        LlmException e = assertThrows(LlmException.class, () -> mcp.callTool("trigger-long-running-operation",
                JsonObject.of("duration", JsonNumber.of(60), "steps", JsonNumber.of(60)), Duration.ofMillis(300), null));
        assertEquals(LlmException.Kind.TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("cancelled"), e.getMessage());
        assertEquals("Echo: still here", mcp.callTool("echo", JsonObject.of("message", JsonString.of("still here"))).text());
    }

    @Test
    void callTool_interrupted_isCancelled_andTheThreadKeepsItsInterrupt() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                mcp.callTool("trigger-long-running-operation",
                        JsonObject.of("duration", JsonNumber.of(60), "steps", JsonNumber.of(600)), p -> started.countDown());
                outcome.complete("returned");
            } catch (LlmException e) {
                outcome.complete(Thread.currentThread().isInterrupted() ? e : "not interrupted");
            }
        });
        assertTrue(started.await(30, TimeUnit.SECONDS), "progress reported");
        caller.interrupt();
        Object result = outcome.get(30, TimeUnit.SECONDS);
        LlmException e = assertInstanceOf(result);
        assertEquals(LlmException.Kind.TIMEOUT, e.kind());
        mcp.ping();
    }

    private static LlmException assertInstanceOf(Object o) {
        assertTrue(o instanceof LlmException, String.valueOf(o));
        return (LlmException) o;
    }

    @Test
    void mcpTools_plugIntoAToolCallingRound() {
        ScriptedProvider model = ScriptedProvider.newBuilder("scripted")
                .reply(ChatResponse.newBuilder().provider("scripted").model("any").toolCalls(List.of(ToolCall.of("call_1", "echo",
                        JsonObject.of("message", JsonString.of("from the model"))))).build())
                .reply("It said: Echo: from the model")
                .build();
        Llm llm = Llm.newBuilder().provider(model).defaultModel("any").build();
        List<Message> messages = new ArrayList<>(List.of(Message.user("Echo something")));
        ChatRequest request = ChatRequest.newBuilder().messages(messages)
                .tools(mcp.listTools().stream().map(McpTool::toTool).toList()).build();
        ChatResponse first = llm.chat(request);
        messages.add(Message.assistant(first.text(), first.toolCalls()));
        for (ToolCall call : first.toolCalls()) {
            messages.add(Message.tool(call.id(), mcp.callTool(call.name(), call.argumentsJson()).toModelText()));
        }
        assertEquals("It said: Echo: from the model", llm.chat(request.toBuilder().messages(messages).build()).text());
        assertTrue(model.requests().get(0).tools().stream().anyMatch(t -> t.name().equals("echo")));
        assertEquals("Echo: from the model", model.requests().get(1).messages().get(2).text());
    }

    @Test
    void toolbox_runsTheServersToolsInAToolLoop() {
        ScriptedProvider model = ScriptedProvider.newBuilder("scripted")
                .reply(ChatResponse.newBuilder().provider("scripted").model("any").toolCalls(List.of(
                        ToolCall.of("call_1", "everything_get-sum", JsonObject.of("a", JsonNumber.of(2), "b", JsonNumber.of(40))),
                        ToolCall.of("call_2", "everything_get-sum", JsonObject.of("a", JsonString.of("two"))))).build())
                .reply("42")
                .build();
        Llm llm = Llm.newBuilder().provider(model).defaultModel("any").build();
        Toolbox tools = mcp.toolbox("everything_");
        assertTrue(tools.tools().stream().anyMatch(t -> t.name().equals("everything_echo")), tools.toString());
        ToolLoopResult result = ToolLoop.newBuilder(llm).tools(tools).build().run("Add 2 and 40");
        assertEquals("42", result.text());
        List<Message> sent = model.requests().get(1).messages();
        assertEquals("The sum of 2 and 40 is 42.", sent.get(2).text());
        assertTrue(sent.get(3).text().startsWith("Error: "), sent.get(3).text());
    }

    @Test
    void close_endsTheServerAndEveryProcessItStarted() throws Exception {
        McpClient own = McpClient.stdio(EverythingServer.command("stdio")).connect();
        Process p = own.process();
        List<ProcessHandle> family = p.descendants().toList();
        assertTrue(p.isAlive());
        own.close();
        assertFalse(p.isAlive());
        assertTrue(family.stream().noneMatch(ProcessHandle::isAlive), family.toString());
        LlmException e = assertThrows(LlmException.class, own::ping);
        assertEquals(LlmException.Kind.NETWORK, e.kind());
        own.close();
    }
}
