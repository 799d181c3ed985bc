import java.util.Map;

import dev.parley.Llm;

/**
 * Cold start, Parley as a single-file script: build a client from settings, make one chat call,
 * print the answer, exit. {@code java -cp target/parley.jar benchmarks/ColdParley.java URL}
 * (URL: the fake server's root, such as http://127.0.0.1:8099).
 */
public class ColdParley {
    public static void main(String[] args) {
        Llm llm = Llm.newBuilder()
                .provider("openai-compatible")
                .settings(Map.of("OPENAI_BASE_URL", args[0] + "/v1"))
                .defaultModel("m")
                .build();
        System.out.println(llm.chat("hi").text());
    }
}
