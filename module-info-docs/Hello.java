// A single-file program that uses Parley from the module path:
//
//   java -p target/parley.jar --add-modules dev.parley module-info-docs/Hello.java
//
// It starts Parley's fake provider on 127.0.0.1, so it needs no API key and no network.
// To talk to OpenAI instead, set OPENAI_API_KEY and use Llm.fromEnv().

import dev.parley.ChatChunk;
import dev.parley.ChatStream;
import dev.parley.Llm;
import dev.parley.testing.FakeLlmServer;

import java.util.Map;

public class Hello {
    public static void main(String[] args) {
        try (FakeLlmServer server = FakeLlmServer.newBuilder().reply("Hello from Parley!").build().start()) {
            Llm llm = Llm.newBuilder()
                    .provider("openai-compatible")
                    .settings(Map.of("OPENAI_BASE_URL", server.uri("/v1").toString()))
                    .defaultModel("demo")
                    .build();
            System.out.println(llm.chat("Say hello").text());
            try (ChatStream stream = llm.stream("Say hello again")) {
                for (ChatChunk chunk : stream) {
                    System.out.print(chunk.textDelta());
                }
            }
            System.out.println();
        }
    }
}
