package dev.parley.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * The client against a scripted Streamable HTTP server on 127.0.0.1: resumption after a broken
 * answer stream, an expired session, silence, broken bodies, an oversized event, refused
 * credentials, and the server's own stream.
 */
class McpHttpHostileTest {

    private HttpServer server;
    private URI endpoint;
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> cancelled = new CopyOnWriteArrayList<>();
    private final List<String> resumedWith = new CopyOnWriteArrayList<>();
    private final Map<String, String> lastPostHeaders = new ConcurrentHashMap<>();
    private volatile boolean deleted;
    private volatile String listenStream = "405";
    private volatile boolean slowCancels;
    private final CountDownLatch cancelSeen = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", this::handle);
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            switch (ex.getRequestMethod()) {
                case "DELETE" -> {
                    deleted = true;
                    ex.sendResponseHeaders(200, -1);
                }
                case "GET" -> get(ex);
                default -> post(ex);
            }
        }
    }

    private void get(HttpExchange ex) throws IOException {
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        if (last == null && listenStream.equals("changes")) {
            sse(ex, "id: g1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n\n");
        } else if ("e1".equals(last)) {
            resumedWith.add(last + " " + ex.getRequestHeaders().getFirst("Mcp-Session-Id") + " "
                    + ex.getRequestHeaders().getFirst("MCP-Protocol-Version"));
            sse(ex, "id: e2\ndata: " + result(2, "resumed") + "\n\n");
        } else {
            ex.sendResponseHeaders(405, -1);
        }
    }

    private void post(HttpExchange ex) throws IOException {
        JsonObject m = (JsonObject) Json.parse(ex.getRequestBody().readAllBytes());
        String method = m.stringOr("method", "");
        ex.getRequestHeaders().forEach((k, v) -> lastPostHeaders.put(k.toLowerCase(), v.get(0)));
        if ("Bearer wrong".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            json(ex, 401, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"bad token\"},\"id\":null}");
            return;
        }
        if (method.equals("initialize")) {
            ex.getResponseHeaders().add("Mcp-Session-Id", "sess-1");
            json(ex, 200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{\"tools\":{}},"
                    + "\"serverInfo\":{\"name\":\"fake-http\",\"version\":\"1\"}}}");
            return;
        }
        if (!m.has("id")) {
            if (method.equals("notifications/cancelled")) {
                cancelled.add(Json.write(m.object("params").members().get("requestId")));
                cancelSeen.countDown();
                if (slowCancels) {
                    await(release);
                }
            }
            ex.sendResponseHeaders(202, -1);
            return;
        }
        long id = m.longValue("id");
        String tool = method.equals("tools/call") ? m.object("params").string("name") : method;
        switch (tool) {
            case "resume" -> sse(ex, "id: e1\nretry: 10\ndata:\n\n"); // primes the stream, then ends it
            case "cut" -> sse(ex, "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{}}\n\n");
            case "expire" -> json(ex, 404, "");
            case "garbage" -> json(ex, 200, "this is not json");
            case "html" -> {
                ex.getResponseHeaders().add("Content-Type", "text/html");
                byte[] b = "<html></html>".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            case "huge" -> sse(ex, "data: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"x\":\"" + "y".repeat(200_000) + "\"}}\n\n");
            case "hang" -> {
                ex.getResponseHeaders().add("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                ex.getResponseBody().flush();
                await(release);
            }
            case "cancelled" -> json(ex, 200, result(id, String.join(",", cancelled)));
            case "slow" -> {
                try {
                    Thread.sleep(4_000); // the server's own pace, longer than the client's default timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                json(ex, 200, result(id, "slowly"));
            }
            default -> json(ex, 200, result(id, "called " + tool));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String result(long id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}}";
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    private static void sse(HttpExchange ex, String events) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        out.write(events.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private McpClient connect() {
        return McpClient.http(endpoint).requestTimeout(Duration.ofSeconds(20)).connect();
    }

    private static LlmException callFails(McpClient mcp, String tool) {
        return assertThrows(LlmException.class, () -> mcp.callTool(tool, JsonObject.of()));
    }

    @Test
    void theSessionIdAndRevision_areSentWithEveryLaterRequest_andCloseDeletesTheSession() {
        try (McpClient mcp = connect()) {
            assertEquals("called x", mcp.callTool("x", JsonObject.of()).text());
            assertEquals("sess-1", lastPostHeaders.get("mcp-session-id"));
            assertEquals("2025-11-25", lastPostHeaders.get("mcp-protocol-version"));
            assertEquals("application/json, text/event-stream", lastPostHeaders.get("accept"));
        }
        assertTrue(deleted);
    }

    @Test
    void anAnswerStreamThatEndsEarly_isResumedWithLastEventId() {
        try (McpClient mcp = connect()) {
            assertEquals("resumed", mcp.callTool("resume", JsonObject.of()).text());
            assertEquals(List.of("e1 sess-1 2025-11-25"), resumedWith);
        }
    }

    @Test
    void anAnswerStreamThatEndsEarlyWithoutEventIds_failsTheCall() {
        try (McpClient mcp = connect()) {
            LlmException e = callFails(mcp, "cut");
            assertEquals(Kind.NETWORK, e.kind());
            assertTrue(e.getMessage().contains("without the result"), e.getMessage());
            assertEquals("called next", mcp.callTool("next", JsonObject.of()).text());
        }
    }

    @Test
    void anExpiredSession_isNotFound_forThisAndEveryLaterCall() {
        try (McpClient mcp = connect()) {
            LlmException e = callFails(mcp, "expire");
            assertEquals(Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("connect again"), e.getMessage());
            assertEquals(Kind.NOT_FOUND, assertThrows(LlmException.class, mcp::ping).kind());
        }
    }

    @Test
    void aServerThatNeverAnswers_timesOut_andIsToldTheRequestIsCancelled() throws InterruptedException {
        try (McpClient mcp = connect()) {
            LlmException e = assertThrows(LlmException.class, () -> mcp.callTool("hang", JsonObject.of(), Duration.ofMillis(300), null));
            assertEquals(Kind.TIMEOUT, e.kind());
            assertTrue(cancelSeen.await(30, TimeUnit.SECONDS), "notifications/cancelled arrives (on its own thread)");
            assertEquals(List.of("2"), cancelled);
        }
    }

    @Test
    void aServerThatHoldsTheCancellation_doesNotHoldTheCaller() {
        slowCancels = true;
        try (McpClient mcp = McpClient.http(endpoint).requestTimeout(Duration.ofMinutes(5)).connect()) {
            LlmException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(LlmException.class,
                    () -> mcp.callTool("hang", JsonObject.of(), Duration.ofMillis(300), null)));
            assertEquals(Kind.TIMEOUT, e.kind());
            release.countDown();
        }
    }

    @Test
    void aCallsOwnTimeout_outlastsTheDefault_evenWhenTheServerHoldsTheHeaders() {
        try (McpClient mcp = McpClient.http(endpoint).requestTimeout(Duration.ofSeconds(3)).connect()) {
            assertEquals("slowly", mcp.callTool("slow", JsonObject.of(), Duration.ofSeconds(60), null).text());
        }
    }

    @Test
    void bodiesThatAreNotJsonRpc_failTheCall_withAProtocolError() {
        try (McpClient mcp = connect()) {
            LlmException garbage = callFails(mcp, "garbage");
            assertEquals(Kind.SERVER_ERROR, garbage.kind());
            assertTrue(garbage.getMessage().contains("not JSON"), garbage.getMessage());
            LlmException html = callFails(mcp, "html");
            assertTrue(html.getMessage().contains("text/html"), html.getMessage());
        }
    }

    @Test
    void anEventOverTheLimit_failsTheCall() {
        try (McpClient mcp = McpClient.http(endpoint).maxMessageSize(64 * 1024).connect()) {
            LlmException e = callFails(mcp, "huge");
            assertEquals(Kind.SERVER_ERROR, e.kind());
            assertTrue(e.getMessage().contains("larger than 65536 bytes"), e.getMessage());
        }
    }

    @Test
    void refusedCredentials_areAnAuthenticationError_thatNeverShowsTheHeader() {
        LlmException e = assertThrows(LlmException.class,
                () -> McpClient.http(endpoint).header("Authorization", "Bearer wrong").connect());
        assertEquals(Kind.AUTHENTICATION, e.kind());
        assertEquals(401, e.statusCode());
        assertTrue(e.getMessage().contains("bad token"), e.getMessage());
        assertFalse(e.getMessage().contains("Bearer wrong"), e.getMessage());
        McpClient.Builder b = McpClient.http(endpoint).header("Authorization", "Bearer sk-secret");
        assertFalse(b.toString().contains("sk-secret"), b.toString());
    }

    @Test
    void toolsListChanged_onTheServersOwnStream_runsTheListener() throws Exception {
        listenStream = "changes";
        CountDownLatch changed = new CountDownLatch(1);
        try (McpClient mcp = McpClient.http(endpoint).onToolsChanged(changed::countDown).connect()) {
            assertTrue(changed.await(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void builderMisuse_failsFast() {
        assertThrows(IllegalArgumentException.class, () -> McpClient.http(URI.create("ftp://x/mcp")));
        assertThrows(IllegalStateException.class, () -> McpClient.http(endpoint).environment("A", "B"));
        assertThrows(IllegalStateException.class, () -> McpClient.stdio(List.of("x")).header("A", "B"));
        assertThrows(IllegalArgumentException.class, () -> McpClient.http(endpoint).header("Mcp-Session-Id", "mine"));
        assertThrows(IllegalArgumentException.class, () -> McpClient.stdio(List.of()));
        assertThrows(IllegalArgumentException.class, () -> McpClient.stdio(List.of("x")).requestTimeout(Duration.ZERO));
    }

}
