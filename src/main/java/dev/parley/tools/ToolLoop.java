package dev.parley.tools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.parley.CallOptions;
import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.ChatStream;
import dev.parley.ChunkCollector;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.Message;
import dev.parley.Tool;
import dev.parley.ToolCall;
import dev.parley.ToolChoice;
import dev.parley.Usage;
import dev.parley.internal.Failures;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;

/**
 * Lets a model use Java functions until it has an answer: sends the request with the
 * {@link Toolbox}'s tools, runs the tools the model asks for (the calls of one turn at the same
 * time, each on a virtual thread), sends their results back, and repeats until the model answers
 * without asking for a tool or a limit is reached.
 *
 * {@snippet :
 * ToolLoop loop = ToolLoop.newBuilder(llm)
 *         .tools(tools)
 *         .maxSteps(8)
 *         .timeout(Duration.ofMinutes(2))
 *         .build();
 * ToolLoopResult result = loop.run("What time is it in Tokyo and in Lima?");
 * System.out.println(result.text() + " (" + result.steps().size() + " turns, $" + result.cost() + ")");
 * }
 *
 * <p><b>One call.</b> A run is one blocking call under one deadline ({@link Builder#timeout}):
 * each turn is sent with the time left, tools are stopped (interrupted) when it passes, and the
 * run then fails with an {@link dev.parley.LlmTimeoutException}. Interrupting the calling thread
 * cancels the run the same way. Every turn goes through the client's policies (cache, retries,
 * rate limits, cost and budget, fallback), and its listener and metrics see each turn as a call.
 *
 * <p><b>Limits.</b> At most {@link Builder#maxSteps} turns (default 10), and optionally a token
 * and a cost budget for the whole run, checked after each turn. A run that reaches a limit while
 * the model still asks for tools fails with a {@link ToolLoopLimitException} naming the limit and
 * holding what the run did so far; its messages leave out the last answer's unanswered calls.
 *
 * <p><b>Failures.</b> A tool that throws, a tool the model made up, or arguments that are not a
 * JSON object go back to the model as an error result, so that it can correct itself; a tool
 * added with {@code failLoop} ends the run with a {@link ToolException} instead. Reasoning (and
 * its signatures) from each turn is sent back with the turn, as DeepSeek and Anthropic require.
 *
 * <p>Immutable and thread-safe: one loop serves any number of concurrent runs.
 */
public final class ToolLoop {

    /**
     * Told what a run does, as it happens. Called on the running thread (a tool's start and end
     * on the tool's own thread); each method must be quick, and what it throws is ignored.
     */
    public interface Listener {

        /**
         * Text of the model's answer as it arrives ({@link #runStreaming} only).
         *
         * @param delta the next piece of text
         */
        default void onText(String delta) {
        }

        /**
         * A tool is about to run.
         *
         * @param call what the model asked for
         */
        default void onToolStart(ToolCall call) {
        }

        /**
         * A tool has run.
         *
         * @param run the call and its result
         */
        default void onToolEnd(ToolRun run) {
        }

        /**
         * A turn is over: the model answered, and the tools it asked for ran.
         *
         * @param step the turn
         */
        default void onStep(Step step) {
        }
    }

    private static final Listener QUIET = new Listener() {
    };

    private final Llm llm;
    private final Toolbox tools;
    private final int maxSteps;
    private final long maxTokens;
    private final double maxCost;
    private final Duration timeout;
    private final boolean parallel;
    private final Listener listener;

    private ToolLoop(Builder b) {
        this.llm = b.llm;
        this.tools = b.tools;
        this.maxSteps = b.maxSteps;
        this.maxTokens = b.maxTokens;
        this.maxCost = b.maxCost;
        this.timeout = b.timeout;
        this.parallel = b.parallel;
        this.listener = b.listener;
    }

    /**
     * {@return a builder of a loop that asks {@code llm}}
     *
     * @param llm the client each turn is sent with
     */
    public static Builder newBuilder(Llm llm) {
        return new Builder(llm);
    }

    /**
     * Runs the loop on one user message.
     *
     * @param prompt the user message
     * @return how the run ended
     * @throws LlmException if a turn fails, or the deadline passes
     * @throws ToolException if a tool added with {@code failLoop} fails
     * @throws ToolLoopLimitException if a limit stops the run while the model still asks for tools
     */
    public ToolLoopResult run(String prompt) {
        return run(ChatRequest.newBuilder().addMessage(Message.user(prompt)).build());
    }

    /**
     * Runs the loop on a request; the toolbox's tools are added to the request's own.
     *
     * @param request the first turn's request
     * @return how the run ended
     * @throws LlmException if a turn fails, or the deadline passes
     * @throws ToolException if a tool added with {@code failLoop} fails
     * @throws ToolLoopLimitException if a limit stops the run while the model still asks for tools
     */
    public ToolLoopResult run(ChatRequest request) {
        return new Run(request, false).go();
    }

    /**
     * Runs the loop streaming each turn, so that the {@link Listener} gets the answer's text as
     * it arrives; otherwise as {@link #run(ChatRequest)}.
     *
     * @param request the first turn's request
     * @return how the run ended
     * @throws LlmException if a turn fails, or the deadline passes
     * @throws ToolException if a tool added with {@code failLoop} fails
     * @throws ToolLoopLimitException if a limit stops the run while the model still asks for tools
     */
    public ToolLoopResult runStreaming(ChatRequest request) {
        return new Run(request, true).go();
    }

    /** One run: its conversation so far, what it has spent, and its deadline. */
    private final class Run {
        private final ChatRequest first;
        private final boolean streaming;
        private final long deadline; // System.nanoTime(); Long.MAX_VALUE for none
        private final List<Message> messages;
        private final List<Step> steps = new ArrayList<>();
        private Usage usage = Usage.ZERO;
        private double cost;

        Run(ChatRequest request, boolean streaming) {
            this.first = withTools(Objects.requireNonNull(request, "request"));
            this.streaming = streaming;
            long nanos = timeout == null ? Long.MAX_VALUE : dev.parley.internal.WaitGauge.saturatedNanos(timeout);
            this.deadline = nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : System.nanoTime() + nanos; // centuries: none
            this.messages = new ArrayList<>(request.messages());
        }

        ToolLoopResult go() {
            for (int index = 1; ; index++) {
                ChatRequest.Builder turn = first.toBuilder().messages(messages);
                if (index > 1 && forcesTools(first.toolChoice())) {
                    turn.toolChoice(ToolChoice.auto()); // forced once; after that the model may answer
                }
                ChatResponse response = send(turn.build());
                double turnCost = price(response, first.model());
                cost += turnCost;
                usage = usage.plus(response.usage());
                if (response.toolCalls().isEmpty()) {
                    messages.add(response.message());
                    return end(new Step(index, response, List.of(), turnCost));
                }
                long tokens = usage.inputTokens() + usage.outputTokens();
                if (index >= maxSteps) {
                    throw limit(ToolLoopLimitException.Limit.STEPS, new Step(index, response, List.of(), turnCost),
                            "the model still asked for tools after " + index + " turns, the most allowed (maxSteps)");
                }
                if (tokens >= maxTokens) {
                    throw limit(ToolLoopLimitException.Limit.TOKENS, new Step(index, response, List.of(), turnCost),
                            "the run used " + tokens + " tokens in " + index + " turns, reaching its limit of "
                                    + maxTokens + " (maxTokens), and the model still asked for tools");
                }
                if (cost >= maxCost) {
                    throw limit(ToolLoopLimitException.Limit.COST, new Step(index, response, List.of(), turnCost),
                            "the run cost $" + cost + " in " + index + " turns, reaching its limit of $" + maxCost
                                    + " (maxCost), and the model still asked for tools");
                }
                messages.add(response.message()); // with its tool calls and reasoning
                List<ToolRun> runs = runTools(response.toolCalls());
                for (ToolRun run : runs) {
                    messages.add(Message.tool(run.call().id(), run.output()));
                }
                Step step = new Step(index, response, runs, turnCost);
                steps.add(step);
                tell(l -> l.onStep(step));
            }
        }

        private ToolLoopResult end(Step last) {
            steps.add(last);
            tell(l -> l.onStep(last));
            return new ToolLoopResult(last.response(), steps, messages, usage, cost);
        }

        private ToolLoopLimitException limit(ToolLoopLimitException.Limit limit, Step last, String message) {
            return new ToolLoopLimitException(limit, end(last), message);
        }

        private ChatResponse send(ChatRequest request) {
            CallOptions options = CallOptions.defaults();
            if (deadline != Long.MAX_VALUE) {
                options = options.withTimeout(left());
            }
            if (!streaming) {
                return llm.chat(request, options);
            }
            try (ChatStream stream = llm.stream(request, options)) {
                ChunkCollector collector = new ChunkCollector(stream.provider());
                for (ChatChunk chunk : stream) {
                    collector.add(chunk);
                    if (!chunk.textDelta().isEmpty()) {
                        tell(l -> l.onText(chunk.textDelta()));
                    }
                }
                return collector.result();
            }
        }

        /** {@return the time left before the deadline}, or throws a timeout if none is */
        private Duration left() {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut();
            }
            return Duration.ofNanos(left);
        }

        private LlmException timedOut() {
            return LlmException.newBuilder(LlmException.Kind.TIMEOUT)
                    .provider(llm.providerName())
                    .message("the tool loop's deadline of " + timeout + " passed after " + steps.size() + " turn(s)")
                    .retryable(false)
                    .build();
        }

        /** Runs one turn's tool calls, each on a virtual thread, and waits for them all within the deadline. */
        private List<ToolRun> runTools(List<ToolCall> calls) {
            if (!parallel || calls.size() == 1) {
                List<ToolRun> runs = new ArrayList<>();
                for (ToolCall call : calls) {
                    left();
                    runs.add(runOne(call));
                }
                return runs;
            }
            try (ExecutorService threads = Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("parley-tool-", 0).factory())) {
                List<Future<ToolRun>> futures = new ArrayList<>();
                for (ToolCall call : calls) {
                    futures.add(threads.submit(() -> runOne(call)));
                }
                List<ToolRun> runs = new ArrayList<>();
                try {
                    for (Future<ToolRun> f : futures) {
                        runs.add(deadline == Long.MAX_VALUE ? f.get()
                                : f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                    }
                } catch (TimeoutException e) {
                    threads.shutdownNow();
                    throw timedOut();
                } catch (InterruptedException e) {
                    threads.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw LlmException.newBuilder(LlmException.Kind.TIMEOUT).provider(llm.providerName())
                            .message("the tool loop was interrupted while its tools ran; they were stopped")
                            .retryable(false).cause(e).build();
                } catch (ExecutionException e) {
                    threads.shutdownNow();
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                }
                return runs;
            }
        }

        private ToolRun runOne(ToolCall call) {
            tell(l -> l.onToolStart(call));
            long start = System.nanoTime();
            ToolRun run = outcome(call, start);
            tell(l -> l.onToolEnd(run));
            return run;
        }

        private ToolRun outcome(ToolCall call, long start) {
            Toolbox.Entry entry = tools.find(call.name());
            if (entry == null) {
                return failed(call, "there is no tool called \"" + call.name() + "\"; the tools are: "
                        + String.join(", ", tools.tools().stream().map(Tool::name).toList()), start);
            }
            JsonObject arguments;
            try {
                arguments = call.argumentsJson();
            } catch (JsonException e) {
                return failed(call, "the arguments are not a JSON object (" + e.getMessage()
                        + "); call the tool again with arguments that follow its schema", start);
            }
            try {
                String output = entry.handler().run(arguments);
                return new ToolRun(call, output == null ? "" : output, false, since(start));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed(call, "the tool was stopped", start);
            } catch (Toolbox.ArgumentsException e) {
                return failed(call, "the arguments do not fit the tool's schema: " + e.getMessage()
                        + "; call the tool again with arguments that follow it", start);
            } catch (Exception e) {
                if (entry.failLoop()) {
                    throw new ToolException(call, "the tool \"" + call.name() + "\" failed: " + Failures.describe(e), e);
                }
                return failed(call, "the tool failed: " + Failures.describe(e), start);
            }
        }

        private static ToolRun failed(ToolCall call, String why, long start) {
            return new ToolRun(call, "Error: " + why, true, since(start));
        }

        private static Duration since(long start) {
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    private ChatRequest withTools(ChatRequest request) {
        Map<String, Tool> all = new LinkedHashMap<>();
        for (Tool t : request.tools()) {
            all.put(t.name(), t);
        }
        for (Tool t : tools.tools()) {
            if (all.putIfAbsent(t.name(), t) != null) {
                throw new IllegalArgumentException("the request already declares a tool called \"" + t.name()
                        + "\"; the toolbox's tool would shadow it");
            }
        }
        return request.toBuilder().tools(List.copyOf(all.values())).build();
    }

    private static boolean forcesTools(ToolChoice choice) {
        return choice != null && (choice.mode() == ToolChoice.Mode.REQUIRED || choice.mode() == ToolChoice.Mode.TOOL);
    }

    private double price(ChatResponse response, String requested) {
        String model = response.model() != null ? response.model() : requested;
        if (model == null) {
            return 0;
        }
        return llm.costs().prices().find(response.provider(), model).map(p -> p.cost(response.usage())).orElse(0.0);
    }

    private void tell(java.util.function.Consumer<Listener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException ignored) {
            // a listener must not break the run it watches
        }
    }

    @Override
    public String toString() {
        return "ToolLoop[" + tools + ", maxSteps=" + maxSteps + "]";
    }

    /** Configures a {@link ToolLoop}. Not thread-safe. */
    public static final class Builder {
        private final Llm llm;
        private Toolbox tools = Toolbox.newBuilder().build();
        private int maxSteps = 10;
        private long maxTokens = Long.MAX_VALUE;
        private double maxCost = Double.POSITIVE_INFINITY;
        private Duration timeout;
        private boolean parallel = true;
        private Listener listener = QUIET;

        private Builder(Llm llm) {
            this.llm = Objects.requireNonNull(llm, "llm");
        }

        /**
         * Sets the tools the model is offered.
         *
         * @param tools the tools
         * @return this builder
         */
        public Builder tools(Toolbox tools) {
            this.tools = Objects.requireNonNull(tools, "tools");
            return this;
        }

        /**
         * Sets the most turns a run may take, 1 to 1,000. Default 10.
         *
         * @param maxSteps the most turns
         * @return this builder
         */
        public Builder maxSteps(int maxSteps) {
            if (maxSteps < 1 || maxSteps > 1000) {
                throw new IllegalArgumentException("maxSteps must be from 1 to 1000, got " + maxSteps);
            }
            this.maxSteps = maxSteps;
            return this;
        }

        /**
         * Sets the most tokens (input and output of every turn added up) a run may use before it
         * stops asking. Default: no limit.
         *
         * @param maxTokens the most tokens, at least 1
         * @return this builder
         */
        public Builder maxTokens(long maxTokens) {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * Sets the most a run may cost, in US dollars, priced from the client's price table,
         * before it stops asking. Default: no limit. (The client's own budget, if it has one,
         * applies too, to every call.)
         *
         * @param maxCost the most dollars, more than 0
         * @return this builder
         */
        public Builder maxCost(double maxCost) {
            if (!(maxCost > 0)) {
                throw new IllegalArgumentException("maxCost must be more than 0, got " + maxCost);
            }
            this.maxCost = maxCost;
            return this;
        }

        /**
         * Sets the deadline of a whole run: every turn and every tool. Default: none (each turn
         * has the client's own timeouts).
         *
         * @param timeout how long a run may take
         * @return this builder
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Sets whether the tool calls of one turn run at the same time (default) or one after
         * another, in the order the model asked for them.
         *
         * @param parallel true to run them at the same time
         * @return this builder
         */
        public Builder parallel(boolean parallel) {
            this.parallel = parallel;
            return this;
        }

        /**
         * Sets who is told of each turn, tool and piece of text.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** {@return the loop} */
        public ToolLoop build() {
            return new ToolLoop(this);
        }
    }
}
