package dev.parley.provider.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.ReasoningBlock;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;
import dev.parley.support.TestSubscriber;

/** Shapes seen from OpenAI-compatible servers rather than from OpenAI (no recorded fixtures exist for these). */
class OpenAiCompatibleTest {

    private static Provider compatible(ReplayServer server) {
        return new OpenAiCompatibleProviderFactory().create(ProviderConfig.newBuilder().baseUrl(server.uri("/v1")).build());
    }

    private static ChatResponse chat(String body) {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.json(200, body));
            return compatible(server).chat(ChatRequest.of("local", "hi"));
        }
    }

    @Test
    void reasoning_isReadFromReasoningContentOrReasoning() {
        ChatResponse vllm = chat("""
                {"id":"a","model":"qwen3","choices":[{"index":0,"message":{"role":"assistant",
                 "content":"4","reasoning_content":"2+2"},"finish_reason":"stop"}]}""");
        assertEquals(List.of(ReasoningBlock.of("2+2")), vllm.reasoning());
        ChatResponse ollama = chat("""
                {"id":"b","model":"gpt-oss:20b","choices":[{"index":0,"message":{"role":"assistant",
                 "content":"4","reasoning":"two and two"},"finish_reason":"stop"}]}""");
        assertEquals(List.of(ReasoningBlock.of("two and two")), ollama.reasoning());
        assertEquals(Usage.ZERO, ollama.usage(), "no usage reported");
    }

    @Test
    void toolCalls_withObjectArgumentsOrNoId_areStillRead() {
        ChatResponse r = chat("""
                {"model":"llama","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[
                  {"type":"function","function":{"name":"f","arguments":{"x":1}}}]},"finish_reason":"tool_calls"}]}""");
        assertEquals(List.of(new ToolCall("call_0", "f", "{\"x\":1}")), r.toolCalls());
        assertNull(r.id());
        assertEquals(FinishReason.TOOL_CALLS, r.finishReason());
    }

    @Test
    void stream_readsChoiceZeroOnly_andToolDeltasWithoutIndex() {
        String sse = """
                data: {"id":"s","model":"m","choices":[{"index":0,"delta":{"role":"assistant","reasoning":"hm"}}]}

                data: {"id":"s","model":"m","choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"one"}}]}

                data: {"id":"s","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"id":"t1","function":{"name":"f","arguments":"{}"}}]}}]}

                data: {"id":"s","model":"m","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}

                data: [DONE]

                """;
        try (ReplayServer server = ReplayServer.start()) {
            server.on("POST", "/v1/chat/completions", Reply.of(200, "text/event-stream", sse));
            TestSubscriber<ChatChunk> sub = TestSubscriber.oneAtATime();
            compatible(server).stream(ChatRequest.of("m", "hi")).subscribe(sub);
            List<ChatChunk> chunks = sub.awaitCompletion();
            assertEquals(4, chunks.size());
            assertEquals("hm", chunks.get(0).reasoningDelta());
            assertEquals("one", chunks.get(1).textDelta());
            assertEquals("f", chunks.get(2).toolCalls().get(0).name());
            assertEquals(0, chunks.get(2).toolCalls().get(0).index());
            assertEquals(new Usage(3, 2, 5, 0, 0, 0), chunks.get(3).usage(), "total computed when not reported");
        }
    }
}
