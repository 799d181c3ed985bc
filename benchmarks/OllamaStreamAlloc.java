/*
 * Allocation and time per chunk of an Ollama NDJSON stream of 20,000 text lines, through the default
 * Llm stack, from a local server: java -cp target/parley.jar benchmarks/OllamaStreamAlloc.java
 * (bytes are all threads' allocation, from com.sun.management.ThreadMXBean, divided by the chunks).
 */
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import com.sun.net.httpserver.HttpServer;
import dev.parley.*;

public class OllamaStreamAlloc {
    public static void main(String[] a) throws Exception {
        StringBuilder nd = new StringBuilder();
        int n = 20000;
        for (int i = 0; i < n; i++) {
            nd.append("{\"model\":\"llama3.2\",\"created_at\":\"2025-07-07T20:32:53.844124Z\",\"message\":{\"role\":\"assistant\",\"content\":\" word\"},\"done\":false}\n");
        }
        nd.append("{\"model\":\"llama3.2\",\"created_at\":\"2025-07-07T20:32:53.844124Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"stop\",\"done\":true,\"prompt_eval_count\":10,\"eval_count\":20}\n");
        byte[] body = nd.toString().getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> { ex.getRequestBody().readAllBytes(); ex.getResponseHeaders().add("content-type", "application/x-ndjson"); ex.sendResponseHeaders(200, body.length); ex.getResponseBody().write(body); ex.close(); });
        server.start();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Llm llm = Llm.newBuilder().provider("ollama").settings(java.util.Map.of("OLLAMA_HOST", "http://127.0.0.1:" + server.getAddress().getPort())).defaultModel("m").build();
        for (int round = 0; round < 8; round++) {
            long before = mx.getTotalThreadAllocatedBytes();
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
