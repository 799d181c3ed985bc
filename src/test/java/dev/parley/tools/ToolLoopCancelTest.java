package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.json.JsonObject;
import dev.parley.retry.RetryPolicy;
import dev.parley.testing.ScriptedProvider;

/** Cancelling a run (interrupting its thread) stops what it is doing: the tools, or the HTTP call. */
class ToolLoopCancelTest {

    @Test
    void interruptWhileToolsRun_stopsTheTools() throws Exception {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .reply(ChatResponse.newBuilder().provider("scripted").model("m")
                        .toolCalls(List.of(new ToolCall("a", "slow", "{}"), new ToolCall("b", "slow", "{}")))
                        .finishReason(FinishReason.TOOL_CALLS).usage(Usage.of(1, 1)).build())
                .reply("unreached").build();
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch stopped = new CountDownLatch(2);
        Toolbox tools = Toolbox.newBuilder().add("slow", "Never ends", JsonObject.of(), args -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                stopped.countDown();
                throw e;
            }
            return "unreached";
        }).build();
        Llm llm = Llm.newBuilder().provider(provider).defaultModel("m").build();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread run = Thread.ofVirtual().start(() -> {
            try {
                ToolLoop.newBuilder(llm).tools(tools).build().run("go");
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertTrue(running.await(10, TimeUnit.SECONDS), "both tools started");

        run.interrupt();

        assertTrue(run.join(java.time.Duration.ofSeconds(10)), "the run ended");
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "both tools were interrupted");
        LlmException e = (LlmException) failure.get();
        assertEquals(LlmException.Kind.TIMEOUT, e.kind());
        assertEquals(1, provider.requests().size(), "no turn after the cancel");
    }

    @Test
    void interruptDuringTheModelCall_abortsTheHttpExchange() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> clientClosed = new CompletableFuture<>();
            CountDownLatch requestIn = new CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[8192];
                    int n = in.read(buf); // the request; never answered
                    requestIn.countDown();
                    while (n >= 0) {
                        n = in.read(buf);
                    }
                    clientClosed.complete(true);
                } catch (IOException e) {
                    clientClosed.complete(true); // reset by the client: closed too
                }
            });
            Llm llm = Llm.newBuilder().provider("openai")
                    .settings(Map.of("OPENAI_API_KEY", "sk-test",
                            "OPENAI_BASE_URL", "http://127.0.0.1:" + server.getLocalPort() + "/v1"))
                    .defaultModel("m").retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
            Toolbox tools = Toolbox.newBuilder().add("t", "A tool", JsonObject.of(), args -> "x").build();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread run = Thread.ofVirtual().start(() -> {
                try {
                    ToolLoop.newBuilder(llm).tools(tools).build().run("go");
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            assertTrue(requestIn.await(10, TimeUnit.SECONDS), "the first turn was sent");

            run.interrupt();

            assertTrue(run.join(java.time.Duration.ofSeconds(10)), "the run ended");
            assertTrue(clientClosed.get(10, TimeUnit.SECONDS), "the HTTP exchange was aborted");
            LlmException e = (LlmException) failure.get();
            assertEquals(LlmException.Kind.TIMEOUT, e.kind());
            assertFalse(e.retryable());
        }
    }
}
