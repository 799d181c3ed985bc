package dev.parley.provider.bedrock;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import dev.parley.ApiKey;
import dev.parley.spi.ProviderConfig;
import dev.parley.support.Fixtures;
import dev.parley.support.ReplayServer;

/** Shared helpers for the Bedrock tests, and an event-stream encoder that exists only here. */
final class BedrockTestSupport {

    static final String KEY_ID = "AKIDEXAMPLE";
    /** The test suite's example secret; tests check it never shows up in messages. */
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static final Instant NOW = Instant.parse("2015-08-30T12:36:00Z");
    static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private BedrockTestSupport() {
    }

    /** {@return a provider for {@code server}, signing at {@link #NOW} for us-east-1} */
    static BedrockProvider provider(ReplayServer server) {
        return provider(server, null);
    }

    /** {@return a provider for {@code server} with this session token (or none)} */
    static BedrockProvider provider(ReplayServer server, String sessionToken) {
        ProviderConfig.Builder b = ProviderConfig.newBuilder().baseUrl(server.uri("")).apiKey(ApiKey.of(SECRET))
                .option("accessKeyId", KEY_ID).option("region", "us-east-1")
                .httpClient(HttpClient.newHttpClient());
        if (sessionToken != null) {
            b.header("x-amz-security-token", sessionToken);
        }
        return (BedrockProvider) new BedrockProviderFactory().create(b.build(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /**
     * {@return one event-stream message with string headers} (Parley only decodes; this encoder
     * is for assembling test streams from documented or recorded event JSON)
     */
    static byte[] frame(Map<String, String> headers, byte[] payload) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            h.write(n.length);
            h.writeBytes(n);
            h.write(7);
            h.write(v.length >> 8);
            h.write(v.length & 0xFF);
            h.writeBytes(v);
        });
        byte[] hb = h.toByteArray();
        int total = 12 + hb.length + payload.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(hb.length);
        b.putInt((int) crc(b.array(), 0, 8));
        b.put(hb).put(payload);
        b.putInt((int) crc(b.array(), 0, total - 4));
        return b.array();
    }

    /** {@return an {@code event} message of type {@code type} carrying {@code json}} */
    static byte[] event(String type, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        return frame(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@return an {@code exception} message of type {@code type} carrying {@code json}} */
    static byte[] exception(String type, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":exception-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return frame(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@return a ConverseStream body assembled from a fixture of one event per line, each written
     * as {@code {"eventType":{...}}}}: each line becomes a message of that event type whose
     * payload is the inner object's bytes exactly as recorded
     */
    static byte[] streamOf(String fixture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : Fixtures.text(fixture).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf("\":");
            String type = line.substring(2, colon);
            String inner = line.substring(colon + 2, line.length() - 1);
            out.writeBytes(event(type, inner));
        }
        return out.toByteArray();
    }

    /** {@return the recorded events' types, in order} */
    static List<String> eventTypes(String fixture) {
        List<String> types = new ArrayList<>();
        for (String line : Fixtures.text(fixture).split("\n")) {
            if (!line.isBlank()) {
                types.add(line.substring(2, line.indexOf("\":")));
            }
        }
        return types;
    }

    /** {@return a 200 event-stream reply with a request id} */
    static ReplayServer.Reply streamReply(byte[] body, ReplayServer.Pace pace) {
        return new ReplayServer.Reply(200, Map.of("content-type", EVENT_STREAM, "x-amzn-requestid",
                "5f1b4b0c-0000-4000-8000-000000000001"), body, pace);
    }

    private static long crc(byte[] bytes, int from, int n) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, n);
        return crc.getValue();
    }
}
