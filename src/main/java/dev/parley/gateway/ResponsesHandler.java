package dev.parley.gateway;

import java.io.IOException;
import java.time.Instant;

import dev.parley.ChatRequest;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.gateway.Router.Target;
import dev.parley.json.JsonObject;

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
    private final ChatHandler chat;
    private final long maxBody;

    ResponsesHandler(Router router, ChatHandler chat, long maxBody) {
        this.router = router;
        this.chat = chat;
        this.maxBody = maxBody;
    }

    /** Handles one request. @return the status sent @throws IOException if the client goes away */
    int handle(Exchange ex) throws IOException {
        JsonObject body = HttpIo.readJson(ex, maxBody);
        String asked = body.optString("model").orElse(null);
        Target target = router.resolve(asked);
        boolean openAiStyle = ChatRequests.OPENAI_STYLE.contains(target.llm().providerName());
        ChatRequest request = ResponsesRequests.parse(body, target.model(), openAiStyle);
        String model = asked != null ? asked
                : target.llm().defaultModel() != null ? target.llm().defaultModel() : Router.DEFAULT;
        ResponsesWire.Head head = new ResponsesWire.Head(OpenAiWire.newId("resp_"), Instant.now().getEpochSecond(),
                model, body);
        if (!body.optBoolean("stream").orElse(false)) {
            return HttpIo.sendJson(ex, 200, ResponsesWire.response(head, target.llm().chat(request)));
        }
        return chat.stream(ex, target.llm().stream(request), new ResponsesStream(head));
    }
}
