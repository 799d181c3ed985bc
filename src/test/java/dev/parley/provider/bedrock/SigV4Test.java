package dev.parley.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.parley.ApiKey;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;
import dev.parley.support.Fixtures;

/**
 * Signing against the AWS Signature Version 4 test suite (fixtures/bedrock/sigv4/vectors.json;
 * see the fixtures README for its source): the canonical request, the string to sign and the
 * Authorization header must each equal the published ones exactly.
 */
class SigV4Test {

    private static final JsonObject SUITE = (JsonObject) Fixtures.json("bedrock/sigv4/vectors.json");
    private static final JsonObject CONFIG = SUITE.object("config");
    private static final AwsCredentials CREDENTIALS = new AwsCredentials(CONFIG.string("accessKeyId"),
            ApiKey.of(CONFIG.string("secretAccessKey")), null);

    static Stream<String> vectors() {
        JsonArray tests = SUITE.array("tests");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tests.size(); i++) {
            names.add(tests.object(i).string("name"));
        }
        return names.stream();
    }

    private static JsonObject vector(String name) {
        JsonArray tests = SUITE.array("tests");
        for (int i = 0; i < tests.size(); i++) {
            if (tests.object(i).string("name").equals(name)) {
                return tests.object(i);
            }
        }
        throw new IllegalArgumentException(name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void sign_matchesTheTestSuite(String name) {
        JsonObject test = vector(name);
        JsonObject request = test.object("request");
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        JsonArray h = request.array("headers");
        for (int i = 0; i < h.size(); i++) {
            JsonArray pair = h.array(i);
            headers.add(Map.entry(pair.string(0), pair.string(1)));
        }
        String date = headers.stream().filter(e -> e.getKey().equalsIgnoreCase("x-amz-date")).findFirst().orElseThrow().getValue();
        SigV4.Signature s = SigV4.sign(request.string("method"), request.string("path"), request.string("query"), headers,
                SigV4.sha256Hex(request.string("body").getBytes(StandardCharsets.UTF_8)), CREDENTIALS,
                CONFIG.string("region"), CONFIG.string("service"), date);
        assertEquals(test.string("creq"), s.canonicalRequest(), "canonical request");
        assertEquals(test.string("sts"), s.stringToSign(), "string to sign");
        assertEquals(test.string("authz"), s.authorization(), "Authorization");
    }

    @Test
    void canonicalUri_encodesAWirePathOnceMore_asTheSdksDoForBedrock() {
        assertEquals("/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse",
                SigV4.canonicalUri("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"));
        assertEquals("anthropic.claude-3-haiku-20240307-v1%3A0", SigV4.encode("anthropic.claude-3-haiku-20240307-v1:0", false));
    }

    @Test
    void canonicalQuery_sortsByNameThenValue() {
        assertEquals("a=2&a-b=1", SigV4.canonicalQuery("a-b=1&a=2"));
        assertEquals("a=%20&b=", SigV4.canonicalQuery("b&a=%20"));
    }

    @Test
    void signature_toString_leavesOutTheSessionToken() {
        AwsCredentials withToken = new AwsCredentials("AKID", ApiKey.of("secret-secret"), ApiKey.of("token-token-token"));
        SigV4.Signature s = SigV4.sign("POST", "/", "", List.of(Map.entry("x-amz-security-token", "token-token-token")),
                SigV4.sha256Hex(new byte[0]), withToken, "us-east-1", "bedrock", "20150830T123600Z");
        assertFalse(s.toString().contains("token-token-token"), s.toString());
        assertFalse(withToken.toString().contains("token-token-token"), withToken.toString());
        assertFalse(withToken.toString().contains("secret-secret"), withToken.toString());
    }
}
