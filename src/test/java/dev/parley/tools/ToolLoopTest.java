package dev.parley.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.ChatChunk;
import dev.parley.ChatRequest;
import dev.parley.ChatResponse;
import dev.parley.FinishReason;
import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.LlmTimeoutException;
import dev.parley.Message;
import dev.parley.ReasoningBlock;
import dev.parley.Role;
import dev.parley.ToolCall;
import dev.parley.Usage;
import dev.parley.cost.CostPolicy;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.retry.RetryPolicy;
import dev.parley.testing.ScriptedProvider;

class ToolLoopTest {

    private static final JsonObject ZONE = (JsonObject) Json.parse(
            "{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}},\"required\":[\"zone\"]}");

    private static ChatResponse asks(ToolCall... calls) {
        return asking(calls).build();
    }

    private static ChatResponse.Builder asking(ToolCall... calls) {
        return ChatResponse.newBuilder().provider("scripted").model("m").toolCalls(List.of(calls))
                .finishReason(FinishReason.TOOL_CALLS).usage(Usage.of(100, 10));
    }

    private static ChatResponse answers(String text) {
        return ChatResponse.newBuilder().provider("scripted").model("m").text(text)
                .finishReason(FinishReason.STOP).usage(Usage.of(100, 10)).build();
    }

    private static ToolCall call(String id, String name, String args) {
        return new ToolCall(id, name, args);
    }

    private static Llm llm(ScriptedProvider provider) {
        return Llm.newBuilder().provider(provider).defaultModel("m")
                .retry(RetryPolicy.newBuilder().maxAttempts(1).build()).build();
    }

    @Test
    void run_runsTheToolsOfATurnAtTheSameTime_andSendsResultsAndReasoningBack() {
        ReasoningBlock thought = new ReasoningBlock("I need both times", "sig-1", null);
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .reply(asking(call("c1", "time", "{\"zone\":\"Asia/Tokyo\"}"), call("c2", "time", "{\"zone\":\"America/Lima\"}"))
                        .reasoning(List.of(thought)).build())
                .reply(answers("Tokyo 9:00, Lima 19:00"))
                .build();
        CyclicBarrier both = new CyclicBarrier(2); // passes only if the two calls run at the same time
        Toolbox tools = Toolbox.newBuilder().add("time", "The time in a zone", ZONE, args -> {
            both.await(10, TimeUnit.SECONDS);
            return "time in " + args.string("zone");
        }).build();

        ToolLoopResult result = ToolLoop.newBuilder(llm(provider)).tools(tools).build().run("What time is it?");

        assertEquals("Tokyo 9:00, Lima 19:00", result.text());
        assertEquals(2, result.steps().size());
        assertEquals(List.of("time in Asia/Tokyo", "time in America/Lima"),
                result.steps().get(0).runs().stream().map(ToolRun::output).toList());
        assertEquals(Usage.of(200, 20).inputTokens(), result.usage().inputTokens());

        ChatRequest second = provider.requests().get(1);
        assertEquals(List.of("time"), second.tools().stream().map(dev.parley.Tool::name).toList());
        List<Message> m = second.messages();
        assertEquals(List.of(Role.USER, Role.ASSISTANT, Role.TOOL, Role.TOOL), m.stream().map(Message::role).toList());
        assertEquals(List.of("c1", "c2"), m.get(1).toolCalls().stream().map(ToolCall::id).toList());
        assertEquals(List.of(thought), m.get(1).reasoning(), "reasoning and its signature go back with the turn");
        assertEquals("c1", m.get(2).toolCallId());
        assertEquals("time in Asia/Tokyo", m.get(2).text());
        assertEquals("c2", m.get(3).toolCallId());
        assertEquals(5, result.messages().size(), "the conversation ends with the answer");
    }

    @Test
    void run_toolFailures_goBackToTheModel() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .reply(asks(call("a", "boom", "{}"), call("b", "nope", "{}"), call("c", "time", "not json")))
                .reply(answers("sorry"))
                .build();
        Toolbox tools = Toolbox.newBuilder()
                .add("boom", "Fails", JsonObject.of(), args -> {
                    throw new IllegalStateException("disk full");
                })
                .add("time", "The time", ZONE, args -> "never")
                .build();

        ToolLoopResult result = ToolLoop.newBuilder(llm(provider)).tools(tools).build().run("go");

        List<ToolRun> runs = result.steps().get(0).runs();
        assertTrue(runs.stream().allMatch(ToolRun::error), runs.toString());
        assertTrue(runs.get(0).output().contains("disk full"), runs.get(0).output());
        assertTrue(runs.get(1).output().contains("no tool called \"nope\"") && runs.get(1).output().contains("boom, time"),
                runs.get(1).output());
        assertTrue(runs.get(2).output().contains("not a JSON object"), runs.get(2).output());
        List<Message> sent = provider.requests().get(1).messages();
        assertEquals(runs.get(0).output(), sent.get(2).text(), "the model sees the failure");
        assertEquals("sorry", result.text());
    }

    @Test
    void run_failLoopTool_endsTheRunWithItsException() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .reply(asks(call("a", "strict", "{}"))).reply(answers("unreached")).build();
        IllegalStateException cause = new IllegalStateException("no write access");
        Toolbox tools = Toolbox.newBuilder().add(dev.parley.Tool.of("strict", "Must not fail", JsonObject.of()), args -> {
            throw cause;
        }, true).build();

        ToolException e = assertThrows(ToolException.class,
                () -> ToolLoop.newBuilder(llm(provider)).tools(tools).build().run("go"));

        assertSame(cause, e.getCause());
        assertEquals("a", e.call().id());
        assertEquals(1, provider.requests().size());
    }

    @Test
    void run_modelThatNeverStops_failsAtMaxSteps_keepingAConversationThatCanGoOn() {
        ScriptedProvider.Builder script = ScriptedProvider.newBuilder("scripted");
        for (int i = 0; i < 5; i++) {
            script.reply(asks(call("c" + i, "time", "{\"zone\":\"UTC\"}")));
        }
        ScriptedProvider provider = script.build();
        Toolbox tools = Toolbox.newBuilder().add("time", "The time", ZONE, args -> "noon").build();

        ToolLoopLimitException e = assertThrows(ToolLoopLimitException.class,
                () -> ToolLoop.newBuilder(llm(provider)).tools(tools).maxSteps(3).build().run("go"));

        assertEquals(ToolLoopLimitException.Limit.STEPS, e.limit());
        assertTrue(e.getMessage().contains("maxSteps"), e.getMessage());
        ToolLoopResult result = e.partial();
        assertEquals(3, result.steps().size());
        assertEquals(3, provider.requests().size());
        assertTrue(result.steps().get(2).runs().isEmpty(), "the last turn's tools are not run");
        Message last = result.messages().get(result.messages().size() - 1);
        assertEquals(Role.TOOL, last.role(), "no unanswered tool call is left: " + result.messages());
    }

    @Test
    void run_tokenAndCostBudgets_stopTheRun() {
        Toolbox tools = Toolbox.newBuilder().add("time", "The time", ZONE, args -> "noon").build();
        ScriptedProvider.Builder script = ScriptedProvider.newBuilder("scripted");
        for (int i = 0; i < 6; i++) {
            script.reply(asks(call("c" + i, "time", "{}")));
        }
        ScriptedProvider provider = script.build();
        Llm priced = Llm.newBuilder().provider(provider).defaultModel("m")
                .cost(CostPolicy.newBuilder().prices(PriceTable.empty().withPrice("scripted", "m", ModelPrice.of(1.0, 1.0))).build())
                .build();

        ToolLoopLimitException byTokens = assertThrows(ToolLoopLimitException.class,
                () -> ToolLoop.newBuilder(priced).tools(tools).maxTokens(200).build().run("go"));
        assertEquals(ToolLoopLimitException.Limit.TOKENS, byTokens.limit());
        assertEquals(2, byTokens.partial().steps().size(), "110 tokens a turn: the second reaches 200");

        ToolLoopLimitException byCost = assertThrows(ToolLoopLimitException.class,
                () -> ToolLoop.newBuilder(priced).tools(tools).maxCost(0.0002).build().run("go"));
        assertEquals(ToolLoopLimitException.Limit.COST, byCost.limit());
        assertEquals(2, byCost.partial().steps().size(), "$0.00011 a turn: the second reaches $0.0002");
        assertEquals(0.00022, byCost.partial().cost(), 1e-12);
    }

    @Test
    void run_deadline_stopsTheToolsAndFailsWithATimeout() throws Exception {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .reply(asks(call("a", "slow", "{}"), call("b", "slow", "{}"))).reply(answers("unreached")).build();
        CountDownLatch stopped = new CountDownLatch(2);
        Toolbox tools = Toolbox.newBuilder().add("slow", "Never ends", JsonObject.of(), args -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                stopped.countDown();
                throw e;
            }
            return "unreached";
        }).build();
        ToolLoop loop = ToolLoop.newBuilder(llm(provider)).tools(tools).timeout(Duration.ofMillis(300)).build();

        LlmException e = assertThrows(LlmException.class, () -> loop.run("go"));

        assertInstanceOf(LlmTimeoutException.class, e);
        assertTrue(e.getMessage().contains("deadline"), e.getMessage());
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "both tools were interrupted");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void runStreaming_deliversTextAndToolEventsAsTheyHappen() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .chunks(List.of(ChatChunk.newBuilder().toolCalls(List.of(new dev.parley.ToolCallDelta(0, "c1", "time", "{}")))
                        .finishReason(FinishReason.TOOL_CALLS).build()))
                .chunks(List.of(ChatChunk.ofText("It is "), ChatChunk.ofText("noon."),
                        ChatChunk.newBuilder().finishReason(FinishReason.STOP).build()))
                .build();
        Toolbox tools = Toolbox.newBuilder().add("time", "The time", ZONE, args -> "noon").build();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        ToolLoop loop = ToolLoop.newBuilder(llm(provider)).tools(tools).listener(new ToolLoop.Listener() {
            @Override
            public void onText(String delta) {
                events.add("text:" + delta);
            }

            @Override
            public void onToolStart(ToolCall call) {
                events.add("start:" + call.name());
            }

            @Override
            public void onToolEnd(ToolRun run) {
                events.add("end:" + run.output());
            }

            @Override
            public void onStep(Step step) {
                events.add("step:" + step.index());
            }
        }).build();

        ToolLoopResult result = loop.runStreaming(ChatRequest.newBuilder().addMessage(Message.user("time?")).build());

        assertEquals("It is noon.", result.text());
        assertEquals(List.of("start:time", "end:noon", "step:1", "text:It is ", "text:noon.", "step:2"), events);
    }

    @Test
    void run_timeoutOfCenturies_isTakenAsNoDeadline() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted").reply(answers("fine")).build();
        ToolLoop loop = ToolLoop.newBuilder(llm(provider)).timeout(Duration.ofDays(365L * 1_000_000)).build();

        assertEquals("fine", loop.run("go").text());
    }

    @Test
    void builder_rejectsAbsurdLimits_withTheNameOfTheSetting() {
        ToolLoop.Builder b = ToolLoop.newBuilder(llm(ScriptedProvider.newBuilder("s").reply("x").build()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxSteps(0)).getMessage().contains("maxSteps"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.maxCost(Double.NaN)).getMessage().contains("maxCost"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.timeout(Duration.ZERO)).getMessage().contains("timeout"));
        assertThrows(IllegalArgumentException.class, () -> Toolbox.newBuilder()
                .add("t", "d", JsonObject.of(), a -> "") .add("t", "d", JsonObject.of(), a -> ""));
    }

    /** The arguments of a typed tool. */
    public record ZoneArgs(@dev.parley.schema.Description("An IANA time zone") String zone) {
    }

    /** The result of a typed tool. */
    public record Time(String zone, int hour, java.util.Optional<String> note) {
    }

    @Test
    void typedTool_bindsTheArguments_writesTheResultAsJson_andSendsMisfitsBack() {
        ScriptedProvider provider = ScriptedProvider.newBuilder("scripted")
                .reply(asks(call("a", "time", "{\"zone\":\"UTC\"}"), call("b", "time", "{\"zone\":5}")))
                .reply(answers("done"))
                .build();
        List<ZoneArgs> seen = Collections.synchronizedList(new ArrayList<>());
        Toolbox tools = Toolbox.newBuilder().add("time", "The time in a zone", ZoneArgs.class, args -> {
            seen.add(args);
            return new Time(args.zone(), 12, java.util.Optional.empty());
        }).build();

        dev.parley.Tool declared = tools.tools().get(0);
        assertTrue(declared.strict());
        assertEquals("{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\",\"description\":\"An IANA time zone\"}},"
                + "\"required\":[\"zone\"],\"additionalProperties\":false}", Json.write(declared.parameters()));

        ToolLoopResult result = ToolLoop.newBuilder(llm(provider)).tools(tools).build().run("go");

        assertEquals(List.of(new ZoneArgs("UTC")), seen);
        List<ToolRun> runs = result.steps().get(0).runs();
        assertEquals("{\"zone\":\"UTC\",\"hour\":12,\"note\":null}", runs.get(0).output());
        assertFalse(runs.get(0).error());
        assertTrue(runs.get(1).error());
        assertTrue(runs.get(1).output().contains("$.zone") && runs.get(1).output().contains("expected a string"),
                runs.get(1).output());
    }
}
