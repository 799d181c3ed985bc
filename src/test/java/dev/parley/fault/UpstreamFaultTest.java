package dev.parley.fault;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.ChatRequest;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.retry.RetryPolicy;
import dev.parley.timeout.TimeoutPolicy;
import dev.parley.support.CountingHttpServer;
import dev.parley.support.LocalProviders;
import dev.parley.support.CountingHttpServer.Reply;

/**
 * A hostile upstream against every built-in adapter, through the whole {@link Llm} stack, for
 * plain and streamed chats: whatever the server does, the caller gets a typed
 * {@link LlmException} within the deadline, every connection the client gave up on is closed,
 * and the API key appears nowhere in what is thrown.
 *
 * <p>The deadlines are short (a 250 ms attempt, 1 s overall) so that the whole matrix runs in
 * well under a minute; the bound asserted is the overall deadline plus the time a failing
 * attempt may take to unwind, which is what "never a hang past a deadline" means to a caller.
 */
public class UpstreamFaultTest {

    /** The API key every fault test uses; nothing may print it. */
    public static final String CANARY = "sk-canary-7f3a9c1e5b2d4f6a8c0e";
    static final Duration DEADLINE = Duration.ofSeconds(1);
    static final Duration SLACK = Duration.ofMillis(1500);

    /**
     * One way to misbehave.
     *
     * @param name          what it does
     * @param reply         how: what it writes to every request (after which the server waits for
     *                      the client's next request, or for it to hang up)
     * @param clientCloses  whether the client can be expected to close the connection: false only
     *                      where the JDK's HttpClient keeps it open and gives Parley no handle on it
     */
    public record Fault(String name, Reply reply, boolean clientCloses) {
        Fault(String name, Reply reply) {
            this(name, reply, true);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** {@return every fault, for the library's and the command's tests} */
    public static List<Fault> faults() {
        return List.of(
                new Fault("silent after the request", out -> { }),
                new Fault("closed before any byte", out -> {
                    throw new IOException("hang up");
                }),
                new Fault("reset mid status line", out -> {
                    write(out, "HTTP/1.1 2");
                    throw new IOException("hang up");
                }),
                // After a ProtocolException on the status line, the JDK's HttpClient also leaves the
                // connection open (seen on JDK 25), with no handle to close it: see endless headers.
                new Fault("invalid status line with NULs", out -> write(out, "HTTP/1.1 2\u00000\u0000 OK\r\n\r\n"), false),
                new Fault("headers then silence", out ->
                        write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")),
                // The JDK's HttpClient fails this with "Header size too big" past jdk.http.maxHeaderSize
                // (384 KiB) and then leaves the connection open (seen on JDK 25: the server's writes
                // never fail): there is no connection handle to close, so only the error and the
                // deadline are checked here.
                new Fault("endless headers", out -> {
                    write(out, "HTTP/1.1 200 OK\r\n");
                    byte[] line = ("X-Filler: " + "a".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < 100_000; i++) {
                        out.write(line);
                    }
                    out.flush();
                }, false),
                new Fault("endless body", Reply.endless(200, "application/json", "{\"choices\":[".getBytes(StandardCharsets.US_ASCII),
                        "{\"index\":0},".repeat(1000).getBytes(StandardCharsets.US_ASCII))),
                new Fault("endless stream without an event boundary", Reply.endless(200, "text/event-stream",
                        "data: ".getBytes(StandardCharsets.US_ASCII), "x".repeat(8192).getBytes(StandardCharsets.US_ASCII))),
                new Fault("hash flood: 65,536 keys of one hash", closing(collidingKeys(16))),
                new Fault("hash flood: 131,072 keys of one hash", closing(collidingKeys(17))),
                new Fault("one byte every 20 ms", out -> {
                    byte[] body = "{\"id\":\"x\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"}}]}"
                            .getBytes(StandardCharsets.US_ASCII);
                    write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
                    for (byte b : body) {
                        out.write(b);
                        out.flush();
                        java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // the server's pace
                    }
                }),
                new Fault("truncated JSON", out -> {
                    String body = "{\"id\":\"x\",\"choices\":[{\"ind";
                    write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + (body.length() + 40)
                            + "\r\n\r\n" + body);
                }),
                new Fault("wrong types", out -> {
                    String body = "{\"choices\":\"none\",\"content\":7,\"message\":[],\"done\":\"yes\",\"type\":{}}";
                    write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                            + "\r\nConnection: close\r\n\r\n" + body);
                }),
                new Fault("stream garbage", out -> {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                            + "data: {not json\n\n{\"also\": \"not an event\"\n\ndata: [DONE]\n\n");
                }),
                new Fault("HTML error page", out -> {
                    String body = "<html><body><h1>502 Bad Gateway</h1>" + CANARY.substring(0, 4) + "</body></html>";
                    write(out, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: " + body.length()
                            + "\r\nConnection: close\r\n\r\n" + body);
                }),
                new Fault("error echoing the key", out -> {
                    String body = "{\"error\":{\"message\":\"Incorrect API key provided: " + CANARY + "\",\"type\":\"invalid_request_error\"}}";
                    write(out, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                            + "\r\nConnection: close\r\n\r\n" + body);
                }));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String provider : List.of("openai", "deepseek", "openai-compatible", "azure-openai", "anthropic", "ollama", "gemini", "bedrock")) {
            for (Fault f : faults()) {
                out.add(Arguments.of(provider, f, false));
                out.add(Arguments.of(provider, f, true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} stream={2}")
    @MethodSource("cases")
    void everyFault_endsInATypedError_withinTheDeadline_leavingNothingOpen(String provider, Fault fault, boolean stream)
            throws Exception {
        try (CountingHttpServer server = CountingHttpServer.start(request -> fault.reply())) {
            Llm llm = llm(provider, server);
            int threadsBefore = parleyThreads().size();
            ChatRequest request = ChatRequest.newBuilder().addMessage(Message.user("hello")).build();
            long start = System.nanoTime();
            Throwable thrown = call(llm, request, stream);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertInstanceOf(LlmException.class, thrown, () -> "not a typed error: " + trace(thrown));
            assertTrue(took.compareTo(DEADLINE.plus(SLACK)) < 0, () -> "took " + took + " against a deadline of " + DEADLINE);
            String everything = trace(thrown);
            assertFalse(everything.contains(CANARY), () -> "the key leaked: " + everything);
            assertTrue(!fault.clientCloses() || server.awaitOpenAtMost(0, Duration.ofSeconds(10)),
                    () -> server.open() + " of " + server.accepted() + " connections left open after " + thrown);
            assertTrue(!fault.clientCloses() || awaitThreadsAtMost(threadsBefore, Duration.ofSeconds(10)),
                    () -> "platform threads left behind: " + parleyThreads());
        }
    }

    /**
     * {@return the platform threads but the test server's and the JDK's pools} (virtual threads
     * are not listed; the ForkJoinPools' workers, the virtual threads' carriers among them, come
     * and go with load, bounded by the cores)
     */
    private static List<String> parleyThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> !n.startsWith("test-counting") && !n.startsWith("ForkJoinPool")).sorted().toList();
    }

    /** Starts what runs once per JVM (the shared client's selector, the timeout timer) before any count. */
    @BeforeAll
    static void startTheSharedThreads() {
        try (CountingHttpServer server = CountingHttpServer.start(request -> out -> { })) {
            assertInstanceOf(LlmException.class, call(llm("openai", server),
                    ChatRequest.newBuilder().addMessage(Message.user("warm-up")).build(), false));
        }
    }

    private static boolean awaitThreadsAtMost(int n, Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (parleyThreads().size() > n) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(10);       // polling for a state that must come, with a deadline
        }
        return true;
    }

    /** {@return what the call threw} */
    private static Throwable call(Llm llm, ChatRequest request, boolean stream) {
        try {
            if (stream) {
                llm.stream(request).collect();
            } else {
                llm.chat(request);
            }
        } catch (Throwable t) {
            return t;
        }
        return fail("a hostile upstream gave an answer");
    }

    static Llm llm(String provider, CountingHttpServer server) {
        String base = server.uri("").toString();
        Map<String, String> settings = LocalProviders.settings(provider, base, CANARY);
        return Llm.newBuilder()
                .provider(provider)
                .settings(settings)
                .defaultModel("m")
                .retry(RetryPolicy.newBuilder().maxAttempts(2).baseDelay(Duration.ofMillis(10)).build())
                .timeouts(TimeoutPolicy.newBuilder().attemptTimeout(Duration.ofMillis(250))
                        .firstChunkTimeout(Duration.ofMillis(250)).idleTimeout(Duration.ofMillis(250)).build())
                .timeout(DEADLINE)
                .build();
    }

    static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * {@return a 200 with this JSON body and {@code Connection: close}}: a whole, well-framed
     * body would otherwise leave its connection in the client's pool, which is no leak
     */
    private static Reply closing(byte[] body) {
        return out -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n");
            out.write(body);
            out.flush();
        };
    }

    /**
     * {@return a JSON object of 2^{@code pairs} keys that all share one {@code String.hashCode}}:
     * "Aa" and "BB" hash alike, so every string of {@code pairs} such pairs does too
     */
    private static byte[] collidingKeys(int pairs) {
        StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < 1 << pairs; i++) {
            json.append(i == 0 ? "\"" : ",\"");
            for (int bit = 0; bit < pairs; bit++) {
                json.append((i >> bit & 1) == 0 ? "Aa" : "BB");
            }
            json.append("\":1");
        }
        return json.append('}').toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String trace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
