package dev.parley.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.LlmException;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;

/** The client against the reference server from npm, in its Streamable HTTP mode on 127.0.0.1. */
class McpHttpEverythingTest {

    private static Process server;
    private static URI endpoint;
    private static McpClient mcp;

    @BeforeAll
    static void start() throws Exception {
        List<String> command = EverythingServer.command("streamableHttp");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PORT", Integer.toString(port));
        server = pb.start();
        server.getOutputStream().close();
        CountDownLatch listening = new CountDownLatch(1);
        List<String> output = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (output.size() < 200) {
                        output.add(line);
                    }
                    if (line.contains("listening on port")) {
                        listening.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // The server ended.
            }
        });
        assertTrue(listening.await(60, TimeUnit.SECONDS), () -> "the server did not start: " + output);
        endpoint = URI.create("http://127.0.0.1:" + port + "/mcp");
        mcp = McpClient.http(endpoint).requestTimeout(Duration.ofSeconds(30)).connect();
    }

    @AfterAll
    static void stop() throws Exception {
        if (mcp != null) {
            mcp.close();
        }
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void connect_negotiatesTheNewestRevision_andGetsASession() {
        assertEquals(McpClient.PROTOCOL_VERSION, mcp.protocolVersion());
        assertEquals("mcp-servers/everything", mcp.serverInfo().string("name"));
        assertNotNull(mcp.sessionId());
        assertEquals("McpClient[http " + endpoint + ", protocol " + McpClient.PROTOCOL_VERSION + "]", mcp.toString());
    }

    @Test
    void listAndCall_echoSumAndStructuredContent() {
        List<String> names = mcp.listTools().stream().map(McpTool::name).toList();
        assertTrue(names.containsAll(List.of("echo", "get-sum", "get-structured-content")), names.toString());
        assertEquals("Echo: over http", mcp.callTool("echo", JsonObject.of("message", JsonString.of("over http"))).text());
        assertEquals("The sum of 1 and 2 is 3.",
                mcp.callTool("get-sum", JsonObject.of("a", JsonNumber.of(1), "b", JsonNumber.of(2))).text());
        McpToolResult weather = mcp.callTool("get-structured-content", JsonObject.of("location", JsonString.of("New York")));
        assertEquals(33, weather.structuredContent().intValue("temperature"));
        assertTrue(mcp.callTool("get-sum", JsonObject.of()).isError());
    }

    @Test
    void callTool_longRunning_reportsProgressOnTheAnswersStream() {
        List<Double> progress = new CopyOnWriteArrayList<>();
        McpToolResult r = mcp.callTool("trigger-long-running-operation",
                JsonObject.of("duration", JsonNumber.of(0.3), "steps", JsonNumber.of(3)), p -> progress.add(p.progress()));
        assertFalse(r.isError(), r.toModelText());
        assertEquals(List.of(1.0, 2.0, 3.0), progress);
    }

    @Test
    void callTool_pastItsTimeout_isCancelled_andTheSessionGoesOn() {
        LlmException e = assertThrows(LlmException.class, () -> mcp.callTool("trigger-long-running-operation",
                JsonObject.of("duration", JsonNumber.of(60), "steps", JsonNumber.of(60)), Duration.ofMillis(300), null));
        assertEquals(LlmException.Kind.TIMEOUT, e.kind());
        mcp.ping();
        assertEquals("Echo: after", mcp.callTool("echo", JsonObject.of("message", JsonString.of("after"))).text());
    }

    @Test
    void close_endsTheSessionOnTheServer() throws Exception {
        McpClient own = McpClient.http(endpoint).header("Authorization", "Bearer sk-mcp-canary-0000").connect();
        assertFalse(own.toString().contains("sk-mcp-canary"), own.toString());
        String session = own.sessionId();
        assertEquals(200, rawPing(session));
        own.close();
        assertEquals(400, rawPing(session), "the server no longer knows the session");
        assertEquals(LlmException.Kind.NETWORK, assertThrows(LlmException.class, own::ping).kind());
    }

    /** A ping sent by hand in the session, for the HTTP status the server answers. */
    private static int rawPing(String session) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest ping = HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .header("Mcp-Session-Id", session)
                    .header("MCP-Protocol-Version", McpClient.PROTOCOL_VERSION)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"))
                    .build();
            return http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

}
