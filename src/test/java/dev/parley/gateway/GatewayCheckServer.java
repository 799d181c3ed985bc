package dev.parley.gateway;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.SubmissionPublisher;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.FinishReason;
import dev.parley.Llm;
import dev.parley.ModelInfo;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.testing.ScriptedProvider;

/**
 * A gateway with scripted routes, for checking real OpenAI client libraries against it: by
 * {@link OpenAiNodeClientTest} in every build, and by hand (see
 * {@code src/test/resources/clients/README.md}) with
 * {@code java -cp target/classes:target/test-classes dev.parley.gateway.GatewayCheckServer [port]}.
 *
 * <p>Routes: the default route answers "Hello from Parley." and embeds with 8 dimensions;
 * {@code tools} asks for a {@code get_weather} call; {@code slow} streams three words with
 * 300 ms pauses while the heartbeat is 100 ms, so clients must skip SSE comment lines. The key
 * is {@code sk-parley-check}.
 */
public final class GatewayCheckServer {

    private GatewayCheckServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        Gateway gateway = start(args.length > 0 ? Integer.parseInt(args[0]) : 8787);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.stop();
            done.countDown();
        }));
        System.out.println("Gateway listening on " + gateway.uri() + " (OpenAI base URL " + gateway.uri() + "/v1)");
        done.await();
    }

    /** {@return the started gateway, on 127.0.0.1:{@code port} (0: any free port)} */
    static Gateway start(int port) {
        ScriptedProvider plain = ScriptedProvider.newBuilder("scripted").reply(ChatResponse.newBuilder().provider("scripted")
                        .text("Hello from Parley.").finishReason("stop").usage(Usage.of(12, 5)).build())
                .models(List.of(new ModelInfo("scripted-large", "parley", 1_700_000_000L, null)))
                .dimensions(8).build();
        ScriptedProvider tools = ScriptedProvider.newBuilder("scripted").reply(ChatResponse.newBuilder().provider("scripted")
                .toolCalls(List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")))
                .finishReason("tool_calls").usage(Usage.of(20, 8)).build()).build();
        return Gateway.newBuilder().host("127.0.0.1").port(port)
                .defaultRoute(Llm.newBuilder().provider(plain).defaultModel("scripted-large").embeddingModel("scripted-embed").build())
                .route("tools", Llm.newBuilder().provider(tools).defaultModel("tool-model").build())
                .route("slow", Llm.newBuilder().provider(new SlowProvider()).defaultModel("slow-model").build())
                .apiKeys(Set.of("sk-parley-check"))
                .streamHeartbeat(Duration.ofMillis(100))
                .shutdownGrace(Duration.ofSeconds(2))
                .build().start();
    }

    /** Streams "one two three" with pauses longer than the heartbeat. */
    private static final class SlowProvider implements Provider {
        @Override
        public String name() {
            return "slow";
        }

        @Override
        public Set<Capability> capabilities() {
            return EnumSet.of(Capability.CHAT, Capability.STREAMING);
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            return stream(request).collect();
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return ChatStream.of(name(), subscriber -> {
                SubmissionPublisher<ChatChunk> publisher = new SubmissionPublisher<>(Executors.newVirtualThreadPerTaskExecutor(), 16);
                publisher.subscribe(subscriber);
                Thread.startVirtualThread(() -> {
                    try {
                        for (String word : List.of("one", " two", " three")) {
                            Thread.sleep(300);
                            publisher.submit(ChatChunk.ofText(word));
                        }
                        publisher.submit(ChatChunk.newBuilder().finishReason(FinishReason.STOP).rawFinishReason("stop")
                                .usage(Usage.of(3, 3)).build());
                        publisher.close();
                    } catch (InterruptedException e) {
                        publisher.closeExceptionally(e);
                    }
                });
            });
        }

        @Override
        public List<ModelInfo> models() {
            return List.of();
        }
    }
}
