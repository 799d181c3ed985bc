package dev.parley.provider.openai;

import dev.parley.ApiKey;
import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.RecordedRequest;

/** Providers pointed at a {@link ReplayServer}, and JSON helpers, for this package's tests. */
final class Fakes {

    /** A key that must never show up in a message: tests search for it. */
    static final ApiKey KEY = ApiKey.of("sk-canary-4f1d2c3b5a6e7f80");

    private Fakes() {
    }

    /** {@return an "openai" provider whose base URL is {@code /v1} on the server} */
    static Provider openai(ReplayServer server) {
        return new OpenAiProviderFactory().create(ProviderConfig.newBuilder()
                .baseUrl(server.uri("/v1")).apiKey(KEY).build());
    }

    /** {@return a "deepseek" provider whose base URL is the server's root, as DeepSeek's is} */
    static Provider deepseek(ReplayServer server) {
        return new DeepSeekProviderFactory().create(ProviderConfig.newBuilder()
                .baseUrl(server.uri("")).apiKey(KEY).build());
    }

    /** {@return the body of a recorded request, parsed} */
    static JsonObject body(RecordedRequest r) {
        return (JsonObject) Json.parse(r.body());
    }

    /** {@return a JSON fixture, parsed} */
    static JsonObject fixture(String path) {
        return (JsonObject) Fixtures.json(path);
    }

    /** {@return JSON text, parsed} */
    static JsonObject json(String text) {
        return (JsonObject) Json.parse(text);
    }
}
