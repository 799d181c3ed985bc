package dev.parley.gateway;

import java.io.IOException;
import java.time.Instant;

import dev.parley.ChatRequest;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.gateway.Router.Target;
import dev.parley.json.JsonObject;
import dev.parley.ChatResponse;
import dev.parley.Usage;
import dev.parley.internal.TokenEstimate;

/**
 * Answers {@code POST /v1/responses}, OpenAI's Responses API, against any route's provider: the
 * request is read by {@link ResponsesRequests} into Parley's one request model, sent to the
 * route's {@code Llm}, and answered as a {@code response} object ({@link ResponsesWire}) or as
 * its typed event stream ({@link ResponsesStream}), through the same stream loop as chat
 * completions (heartbeats, disconnects, shutdown: see {@link ChatHandler}). Errors have the same
 * {@code {"error":{...}}} shape, which is the Responses API's too.
 *
 * <p>Thread-safe: one instance serves every request.
 */
final class ResponsesHandler {

    private final Router router;
    private final VirtualKeys keys;
    private final ChatHandler chat;
    private final long maxBody;

    ResponsesHandler(Router router, VirtualKeys keys, ChatHandler chat, long maxBody) {
        this.router = router;
        this.keys = keys;
        this.chat = chat;
        this.maxBody = maxBody;
    }

    /**
     * Handles one request; the call is admitted for the entry's key (its models, limits and
     * budget, as for chat completions) before it goes upstream, and settled with its usage when
     * it ends.
     *
     * @return the status sent @throws IOException if the client goes away
     */
    int handle(Exchange ex, AccessLog.Entry entry) throws IOException {
        JsonObject body = HttpIo.readJson(ex, maxBody);
        if (entry.promptChars > 0) {
            JsonObject.Builder prompt = JsonObject.newBuilder();
            body.get("instructions").ifPresent(v -> prompt.put("instructions", v));
            body.get("input").ifPresent(v -> prompt.put("input", v));
            entry.prompt(prompt.build());
        }
        String asked = body.optString("model").orElse(null);
        String resolved = keys.dealias(asked);
        Target target = router.resolve(resolved);
        boolean openAiStyle = ChatRequests.OPENAI_STYLE.contains(target.llm().providerName());
        ChatRequest request = ResponsesRequests.parse(body, target.model(), openAiStyle);
        String model = asked != null ? asked
                : target.llm().defaultModel() != null ? target.llm().defaultModel() : Router.DEFAULT;
        ResponsesWire.Head head = new ResponsesWire.Head(OpenAiWire.newId("resp_"), Instant.now().getEpochSecond(),
                model, body);
        VirtualKeys.Admission admission = keys.admit(entry, target, asked, resolved, TokenEstimate.prompt(request),
                request.maxTokens() != null ? request.maxTokens() : 0, true);
        if (!body.optBoolean("stream").orElse(false)) {
            ChatResponse response = null;
            try {
                response = target.llm().chat(request);
            } finally { // whatever happens, the key's concurrency slot is freed
                admission.settleOrFail(response != null ? response.usage() : null);
            }
            entry.answer(response.text());
            return HttpIo.sendJson(ex, 200, ResponsesWire.response(head, response));
        }
        ResponsesStream format = new ResponsesStream(head);
        try {
            return chat.stream(ex, target.llm().stream(request), format, entry);
        } finally {
            // No usage: unknown if the stream produced output, nothing if it failed before any.
            Usage used = format.usage();
            if (used == null && entry.firstTokenNanos < 0) {
                admission.failed();
            } else {
                admission.settle(used);
            }
        }
    }
}
