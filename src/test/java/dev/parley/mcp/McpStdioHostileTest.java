package dev.parley.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/** The client against {@link FakeMcpServer}: broken, silent, dying and paging servers. */
class McpStdioHostileTest {

    static List<String> fake(String mode) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classpath = Path.of("target", "test-classes").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "classes").toAbsolutePath();
        return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", classpath, FakeMcpServer.class.getName(), mode);
    }

    private static McpClient connect(String mode) {
        return McpClient.stdio(fake(mode)).requestTimeout(Duration.ofSeconds(20)).connect();
    }

    private static LlmException callFails(McpClient mcp, String tool) {
        return assertThrows(LlmException.class, () -> mcp.callTool(tool, JsonObject.of()));
    }

    @Test
    void aLineThatIsNotJson_failsTheCall_andEveryLaterOne() {
        try (McpClient mcp = connect("plain")) {
            LlmException e = callFails(mcp, "garbage");
            assertEquals(Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains("not a JSON-RPC message: this is not JSON-RPC"), e.getMessage());
            LlmException later = assertThrows(LlmException.class, mcp::ping);
            assertEquals(Kind.SERVER_ERROR, later.kind());
            mcp.close();
            assertFalse(mcp.process().isAlive());
        }
    }

    @Test
    void aMessageOverTheLimit_failsTheCall_withoutReadingItAll() {
        try (McpClient mcp = connect("plain")) {
            LlmException e = callFails(mcp, "huge");
            assertEquals(Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains("larger than 16777216 bytes"), e.getMessage());
        }
    }

    @Test
    void aServerThatExitsMidCall_failsTheCall_withItsExitCodeAndErrorOutput() {
        try (McpClient mcp = connect("plain")) {
            LlmException e = callFails(mcp, "exit");
            assertEquals(Kind.NETWORK, e.kind());
            assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
            assertTrue(e.getMessage().contains("boom: the fake server is exiting"), e.getMessage());
        }
    }

    @Test
    void aServerThatNeverAnswers_timesOut_andIsToldTheRequestIsCancelled() {
        try (McpClient mcp = connect("plain")) {
            LlmException e = assertThrows(LlmException.class,
                    () -> mcp.callTool("silent", JsonObject.of(), Duration.ofMillis(300), null));
            assertEquals(Kind.TIMEOUT, e.kind());
            assertEquals("mcp: no answer to tools/call \"silent\" within 300ms; the request was cancelled", e.getMessage());
            // initialize was request 1, the silent call request 2.
            assertEquals("2", mcp.callTool("cancelled", JsonObject.of()).text());
        }
    }

    @Test
    void aServerThatStopsReading_timesOut_insteadOfBlockingTheWrite() {
        McpClient mcp = connect("deaf");
        JsonObject big = JsonObject.of("pad", JsonString.of("y".repeat(4 << 20)));
        LlmException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(LlmException.class, () -> mcp.callTool("echo", big, Duration.ofMillis(500), null)));
        assertEquals(Kind.TIMEOUT, e.kind());
        assertTimeoutPreemptively(Duration.ofSeconds(60), mcp::close);
        assertFalse(mcp.process().isAlive());
    }

    @Test
    void progressThatDoesNotGrow_isDropped_asTheProtocolSaysItOnlyGrows() {
        try (McpClient mcp = connect("plain")) {
            List<Double> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertEquals("progressed", mcp.callTool("progress", JsonObject.of(), p -> seen.add(p.progress())).text());
            assertEquals(List.of(1.0, 2.0, 3.0), seen);
        }
    }

    @Test
    void close_failsACallWaitingOnAnotherThread() throws Exception {
        McpClient mcp = connect("plain");
        java.util.concurrent.CompletableFuture<LlmException> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                mcp.callTool("silent", JsonObject.of(), Duration.ofMinutes(5), null);
                outcome.complete(null);
            } catch (LlmException e) {
                outcome.complete(e);
            }
        });
        mcp.close(); // before or after the call is sent: either way it ends now, not in five minutes
        LlmException e = outcome.get(60, TimeUnit.SECONDS);
        assertEquals(Kind.NETWORK, e.kind());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void answersToUnknownIds_areIgnored() {
        try (McpClient mcp = connect("plain")) {
            assertEquals("after strangers", mcp.callTool("unknown-id", JsonObject.of()).text());
        }
    }

    @Test
    void aBatch_isReadMessageByMessage() {
        try (McpClient mcp = connect("plain")) {
            assertEquals("in a batch", mcp.callTool("batch", JsonObject.of()).text());
        }
    }

    @Test
    void theServersRequests_pingIsAnswered_andTheRestAreMethodNotFound() {
        try (McpClient mcp = connect("plain")) {
            String answers = mcp.callTool("ask", JsonObject.of()).text();
            assertTrue(answers.contains("{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"result\":{}}"), answers);
            assertTrue(answers.contains("\"id\":\"s2\",\"error\":{\"code\":-32601"), answers);
        }
    }

    @Test
    void aJsonRpcError_isTypedByItsCode() {
        try (McpClient mcp = connect("plain")) {
            LlmException e = callFails(mcp, "error");
            assertEquals(Kind.INVALID_REQUEST, e.kind());
            assertEquals("-32602", e.errorCode());
            assertEquals("mcp: the server answered tools/call \"error\" with error -32602: bad things", e.getMessage());
            assertTrue(e.getMessage().contains("bad things"), e.getMessage());
            assertEquals("called next", mcp.callTool("next", JsonObject.of()).text());
        }
    }

    @Test
    void listTools_followsEveryCursor() {
        try (McpClient mcp = connect("pages")) {
            assertEquals(List.of("a", "b", "c"), mcp.listTools().stream().map(McpTool::name).toList());
        }
    }

    @Test
    void listTools_fromAServerThatPagesWithoutEnd_stopsAtTheLimit() {
        try (McpClient mcp = McpClient.stdio(fake("endless")).maxPages(5).connect()) {
            LlmException e = assertThrows(LlmException.class, mcp::listTools);
            assertEquals(Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains("more than 5 pages"), e.getMessage());
        }
    }

    @Test
    void listTools_fromAServerThatRepeatsACursor_stops() {
        try (McpClient mcp = connect("same-cursor")) {
            LlmException e = assertThrows(LlmException.class, mcp::listTools);
            assertTrue(e.getMessage().contains("the cursor \"again\" twice"), e.getMessage());
        }
    }

    @Test
    void toolsListChanged_runsTheListener_andTheNextListingAsksAgain() throws Exception {
        CountDownLatch changed = new CountDownLatch(1);
        List<List<String>> seenByListener = new ArrayList<>();
        McpClient[] holder = new McpClient[1];
        try (McpClient mcp = McpClient.stdio(fake("plain")).onToolsChanged(() -> {
            seenByListener.add(holder[0].listTools().stream().map(McpTool::name).toList());
            changed.countDown();
        }).connect()) {
            holder[0] = mcp;
            assertEquals(List.of("one"), mcp.listTools().stream().map(McpTool::name).toList());
            mcp.callTool("change", JsonObject.of());
            assertTrue(changed.await(20, TimeUnit.SECONDS));
            assertEquals(List.of(List.of("one", "two")), seenByListener);
            assertEquals(List.of("one", "two"), mcp.listTools().stream().map(McpTool::name).toList());
        }
    }

    @Test
    void aServerOfAnotherRevision_isRefused() {
        LlmException e = assertThrows(LlmException.class, () -> connect("old"));
        assertEquals(Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().contains("2024-01-01"), e.getMessage());
    }

    @Test
    void aProgramThatCannotStart_isAConfigurationError() {
        LlmException e = assertThrows(LlmException.class,
                () -> McpClient.stdio(List.of("/no/such/mcp-server")).connect());
        assertEquals(Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("/no/such/mcp-server"), e.getMessage());
    }

    @Test
    void close_endsAServerThatIgnoresItsStdin_andTheProcessItStarted() throws Exception {
        McpClient mcp = connect("stubborn");
        Process p = mcp.process();
        List<ProcessHandle> family = p.descendants().toList();
        assertFalse(family.isEmpty(), "the fake started its child before answering initialize");
        mcp.close();
        assertFalse(p.isAlive());
        for (ProcessHandle h : family) {
            assertTrue(h.onExit().get(10, TimeUnit.SECONDS) != null && !h.isAlive(), h.toString());
        }
    }
}
