/*
 * Allocation and time per chunk of an Anthropic stream of 20,000 text deltas, through the default
 * Llm stack, from a local server: java -cp target/parley.jar benchmarks/AnthropicStreamAlloc.java
 * (bytes are all threads' allocation, from com.sun.management.ThreadMXBean, divided by the chunks).
 */
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import com.sun.net.httpserver.HttpServer;
import dev.parley.*;

public class AnthropicStreamAlloc {
    public static void main(String[] a) throws Exception {
        StringBuilder sse = new StringBuilder();
        sse.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude\",\"content\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n");
        sse.append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        int n = 20000;
        for (int i = 0; i < n; i++) {
            sse.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" word\"}}\n\n");
        }
        sse.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        sse.append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}\n\n");
        sse.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        byte[] body = sse.toString().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> { ex.getRequestBody().readAllBytes(); ex.getResponseHeaders().add("content-type", "text/event-stream"); ex.sendResponseHeaders(200, body.length); ex.getResponseBody().write(body); ex.close(); });
        server.start();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Llm llm = Llm.newBuilder().provider("anthropic").settings(java.util.Map.of("ANTHROPIC_API_KEY", "k", "ANTHROPIC_BASE_URL", "http://127.0.0.1:" + server.getAddress().getPort())).defaultModel("m").build();
        for (int round = 0; round < 8; round++) {
            long before = mx.getTotalThreadAllocatedBytes();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            int chunks = 0;
            try (ChatStream s = llm.stream(ChatRequest.newBuilder().addMessage(Message.user("x")).build())) {
                for (ChatChunk c : s) { chunks++; }
            }
            long bytes = mx.getTotalThreadAllocatedBytes() - before;
            System.out.println("round=" + round + " chunks=" + chunks + " bytesPerChunk=" + bytes / chunks + " nsPerChunk=" + (System.nanoTime() - t0) / chunks);
        }
        server.stop(0);
    }
}
