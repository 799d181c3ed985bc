package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.spi.Provider;

/** A request an adapter cannot take fails the same way whether the adapter is called alone or through an Llm. */
class RequestChecksTest {

    private static final Map<String, String> SETTINGS = Map.of(
            "DEEPSEEK_API_KEY", "sk-test", "DEEPSEEK_BASE_URL", "http://127.0.0.1:1", "LLM_MAX_RETRIES", "0");

    private static Provider adapter() {
        return ProviderSettings.factory("deepseek").create(ProviderSettings.configFor("deepseek", new Settings(SETTINGS), null));
    }

    private static Llm llm() {
        return Llm.newBuilder().provider("deepseek").settings(SETTINGS).build();
    }

    @Test
    void noModel_isOneInvalidRequest_withOneMessage() {
        ChatRequest noModel = ChatRequest.newBuilder().addMessage(Message.user("hi")).build();
        InvalidRequestException alone = assertThrows(InvalidRequestException.class, () -> adapter().chat(noModel));
        InvalidRequestException wrapped = assertThrows(InvalidRequestException.class,
                () -> Llm.newBuilder().provider(adapter()).build().chat(noModel));
        assertEquals("deepseek: no model: set one on the request or a default model on the client", alone.getMessage());
        assertEquals(alone.getMessage(), wrapped.getMessage());
    }

    @Test
    void aMissingCapability_isOneUnsupportedError_withOneMessage() {
        EmbeddingRequest embed = EmbeddingRequest.of("m", List.of("a"));
        UnsupportedCapabilityException alone = assertThrows(UnsupportedCapabilityException.class, () -> adapter().embed(embed));
        UnsupportedCapabilityException wrapped = assertThrows(UnsupportedCapabilityException.class, () -> llm().embed(embed));
        assertEquals("deepseek: embeddings are not supported by deepseek", alone.getMessage());
        assertEquals(alone.getMessage(), wrapped.getMessage());

        ChatRequest schema = ChatRequest.newBuilder().model("deepseek-chat").addMessage(Message.user("hi"))
                .responseFormat(ResponseFormat.jsonSchema("answer", dev.parley.json.JsonObject.newBuilder().build())).build();
        UnsupportedCapabilityException a = assertThrows(UnsupportedCapabilityException.class, () -> adapter().chat(schema));
        UnsupportedCapabilityException b = assertThrows(UnsupportedCapabilityException.class, () -> llm().chat(schema));
        assertEquals(a.getMessage(), b.getMessage());
    }
}
