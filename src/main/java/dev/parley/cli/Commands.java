package dev.parley.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.EmbeddingResponse;
import dev.parley.Llm;
import dev.parley.Message;
import dev.parley.ModelInfo;
import dev.parley.ToolCall;
import dev.parley.cost.Money;
import dev.parley.internal.Scrub;
import dev.parley.json.Json;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonNumber;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;

/** The commands that call a provider: chat, embed, models. */
final class Commands {

    static final Set<String> PROVIDER_OPTIONS = Set.of("provider", "model", "base-url", "api-key-env");

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    Commands(InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int chat(List<String> argv) {
        Args a = Args.parse(argv, union(PROVIDER_OPTIONS, Set.of("system", "temperature", "max-tokens")),
                Set.of("no-stream", "json", "verbose"));
        String prompt = prompt(a.words);
        ChatRequest.Builder request = ChatRequest.newBuilder();
        if (a.option("system") != null) {
            request.addMessage(Message.system(a.option("system")));
        }
        request.addMessage(Message.user(prompt));
        if (a.option("temperature") != null) {
            request.temperature(a.decimal("temperature", 0, 2));
        }
        if (a.option("max-tokens") != null) {
            request.maxTokens(a.integer("max-tokens", 1, 10_000_000));
        }
        Llm llm = llm(a);
        boolean json = a.flag("json");
        ChatResponse response;
        if (a.flag("no-stream")) {
            response = llm.chat(request.build());
            if (!json) {
                out.println(Scrub.keepingLines(response.text()));
            }
        } else {
            // With --json the request streams as usual (same wire, same timeouts), but only the
            // final object is printed, so that standard output stays one JSON document.
            try (ChatStream stream = llm.stream(request.build())) {
                dev.parley.ChunkCollector collector = new dev.parley.ChunkCollector(stream.provider());
                for (ChatChunk chunk : stream) {
                    collector.add(chunk);
                    if (!json) {
                        out.print(Scrub.keepingLines(chunk.textDelta()));
                        out.flush();
                    }
                }
                if (!json) {
                    out.println();
                }
                response = collector.result();
            }
        }
        if (a.flag("json")) {
            double cost = llm.costs().totalCost();
            out.println(Json.write(toJson(response, cost)));
        }
        return ExitCode.OK.code;
    }

    int embed(List<String> argv) {
        Args a = Args.parse(argv, PROVIDER_OPTIONS, Set.of("verbose"));
        if (a.words.isEmpty()) {
            throw new UsageException("embed needs at least one TEXT (or - to read one from standard input)");
        }
        List<String> texts = a.words.size() == 1 && a.words.get(0).equals("-") ? List.of(readStdin()) : a.words;
        Llm llm = llm(a);
        EmbeddingResponse r = a.option("model") != null
                ? llm.embed(dev.parley.EmbeddingRequest.of(a.option("model"), texts))
                : llm.embed(texts);
        for (int i = 0; i < r.embeddings().size(); i++) {
            float[] v = r.vector(i);
            JsonArray.Builder vec = JsonArray.newBuilder();
            for (float f : v) {
                vec.add(JsonNumber.parse(Float.toString(f)));
            }
            out.println(Json.write(JsonObject.newBuilder().put("index", i).put("model", r.model() == null ? "" : r.model())
                    .put("dimensions", v.length).put("embedding", vec.build()).build()));
        }
        return ExitCode.OK.code;
    }

    int models(List<String> argv) {
        Args a = Args.parse(argv, PROVIDER_OPTIONS, Set.of("json", "verbose"));
        for (ModelInfo m : llm(a).models()) {
            out.println(a.flag("json") ? Json.write(m.raw()) : Scrub.controls(m.id()));
        }
        return ExitCode.OK.code;
    }

    /** Builds the client from the environment, with the command line's provider options on top. */
    Llm llm(Args a) {
        Map<String, String> settings = new HashMap<>(env);
        String provider = a.option("provider") != null ? a.option("provider").toLowerCase(Locale.ROOT)
                : settings.getOrDefault("LLM_PROVIDER", "openai").toLowerCase(Locale.ROOT);
        settings.put("LLM_PROVIDER", provider);
        if (a.option("model") != null) {
            settings.put("LLM_MODEL", a.option("model"));
        }
        if (a.option("base-url") != null) {
            settings.put(baseUrlVariable(provider), a.option("base-url"));
        }
        if (a.option("api-key-env") != null) {
            String name = a.option("api-key-env");
            String key = env.get(name);
            if (key == null || key.isBlank()) {
                throw new UsageException("--api-key-env " + name + ": the variable " + name + " is not set");
            }
            settings.put(keyVariable(provider), key);
            settings.remove(keyVariable(provider) + "_FILE");
        }
        return Llm.newBuilder().settings(settings).listener(new WaitNotice(err)).build();
    }

    /** Says on stderr, in one line, when a call waits a second or more (a rate-limit permit, a retry). */
    private record WaitNotice(PrintStream err) implements dev.parley.LlmListener {
        @Override
        public void onWait(dev.parley.CallInfo call, String what, java.time.Duration wait) {
            if (wait.compareTo(java.time.Duration.ofSeconds(1)) >= 0) {
                err.println(String.format(Locale.ROOT, "parley: waiting %.1f s for %s", wait.toMillis() / 1000.0,
                        Scrub.controls(what)));
                err.flush();
            }
        }
    }

    static String baseUrlVariable(String provider) {
        return switch (provider) {
            case "deepseek" -> "DEEPSEEK_BASE_URL";
            case "anthropic" -> "ANTHROPIC_BASE_URL";
            case "gemini" -> "GEMINI_BASE_URL";
            case "ollama" -> "OLLAMA_HOST";
            case "azure-openai" -> "AZURE_OPENAI_BASE_URL";
            case "bedrock" -> "BEDROCK_BASE_URL";
            default -> "OPENAI_BASE_URL";
        };
    }

    static String keyVariable(String provider) {
        return switch (provider) {
            case "deepseek" -> "DEEPSEEK_API_KEY";
            case "anthropic" -> "ANTHROPIC_API_KEY";
            case "gemini" -> "GEMINI_API_KEY";
            case "ollama" -> "OLLAMA_API_KEY";
            case "azure-openai" -> "AZURE_OPENAI_API_KEY";
            case "bedrock" -> "AWS_SECRET_ACCESS_KEY";
            default -> "OPENAI_API_KEY";
        };
    }

    private String prompt(List<String> words) {
        if (words.isEmpty()) {
            throw new UsageException("chat needs a PROMPT (or - to read it from standard input)");
        }
        if (words.size() == 1 && words.get(0).equals("-")) {
            String text = readStdin();
            if (text.isBlank()) {
                throw new UsageException("the prompt read from standard input is empty");
            }
            return text;
        }
        String prompt = String.join(" ", words);
        if (prompt.isBlank()) {
            throw new UsageException("the prompt is empty; give the text to send, or - to read it from standard input");
        }
        return prompt;
    }

    private String readStdin() {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UsageException("could not read standard input: " + e.getMessage());
        }
    }

    static JsonObject toJson(ChatResponse r, double cost) {
        JsonArray.Builder calls = JsonArray.newBuilder();
        for (ToolCall c : r.toolCalls()) {
            JsonValue args;
            try {
                args = c.argumentsJson();
            } catch (JsonException e) {
                args = JsonString.of(c.arguments());
            }
            calls.add(JsonObject.newBuilder().put("id", c.id()).put("name", c.name()).put("arguments", args).build());
        }
        JsonObject.Builder o = JsonObject.newBuilder()
                .put("text", r.text())
                .put("reasoning", r.reasoningText())
                .put("toolCalls", calls.build())
                .put("finishReason", r.finishReason() == null ? "" : r.finishReason().name().toLowerCase(Locale.ROOT))
                .put("usage", JsonObject.newBuilder()
                        .put("inputTokens", r.usage().inputTokens())
                        .put("outputTokens", r.usage().outputTokens())
                        .put("totalTokens", r.usage().totalTokens()).build())
                .put("cost", JsonNumber.parse(Money.plain(cost)))
                .put("model", r.model() == null ? "" : r.model())
                .put("provider", r.provider());
        o.put("requestId", r.requestId() == null ? dev.parley.json.JsonNull.INSTANCE : JsonString.of(r.requestId()));
        return o.build();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return s;
    }

}
