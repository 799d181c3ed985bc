import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * Parley's JSON codec against Jackson, on the inputs of {@code benchmarks/JsonBench.java}, with
 * the same harness (it uses {@code JsonBench.java} next to it, so it needs the multi-file source
 * launcher of JDK 22+). NOT part of the build: Jackson is never a dependency of Parley. Fetch it
 * into the local Maven repository and run, from the repository root:
 * <pre>
 *   mvn -q dependency:get -Dartifact=com.fasterxml.jackson.core:jackson-databind:2.18.2
 *   M2=~/.m2/repository/com/fasterxml/jackson/core
 *   $JAVA -cp target/parley.jar:$M2/jackson-core/2.18.2/jackson-core-2.18.2.jar:$M2/jackson-databind/2.18.2/jackson-databind-2.18.2.jar:$M2/jackson-annotations/2.18.2/jackson-annotations-2.18.2.jar \
 *       benchmarks/JacksonCompare.java [--quick] [--filter TEXT] [--fixtures DIR]
 * </pre>
 *
 * <p>Per input: Parley's {@code Json.parse(byte[])}; Jackson's {@code ObjectMapper.readTree(byte[])}
 * with a default mapper (floats become {@code DoubleNode}s, so Jackson parses doubles where
 * Parley keeps the text); and Jackson streaming, reading every token and materialising what
 * Parley's tree holds (names and strings as {@code String}s, integers as {@code long}s, other
 * numbers as text). Writing: Parley's {@code Json.writeBytes}; Jackson's
 * {@code writeValueAsBytes(JsonNode)} of the same request as a Jackson tree; and a
 * {@code JsonGenerator} driven by a walk of that tree. The harness is the one of JsonBench.
 */
public class JacksonCompare {

    public static void main(String[] args) throws IOException {
        JsonBench.run("JacksonCompare", "# Parley vs Jackson " + com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION,
                args, JacksonCompare::cases);
    }

    static List<JsonBench.Case> cases(JsonBench.Inputs in) {
        ObjectMapper mapper = new ObjectMapper();
        JsonFactory factory = mapper.getFactory();
        List<JsonBench.Case> cases = new ArrayList<>();
        String[] names = {"chat completion", "stream chunk", "embeddings 2x1536", "embeddings 4x1536"};
        byte[][] inputs = {in.chat, in.chunk, in.embeddings60k, in.embeddings130k};
        for (int k = 0; k < inputs.length; k++) {
            byte[] b = inputs[k];
            cases.add(new JsonBench.Case("parse " + names[k] + ": Parley", b.length, n -> {
                long h = 0;
                for (int i = 0; i < n; i++) {
                    h = h * 31 + JsonBench.consume(Json.parse(b));
                }
                return h;
            }));
            cases.add(new JsonBench.Case("parse " + names[k] + ": Jackson readTree", b.length, n -> {
                long h = 0;
                try {
                    for (int i = 0; i < n; i++) {
                        h = h * 31 + mapper.readTree(b).size();
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return h;
            }));
            cases.add(new JsonBench.Case("parse " + names[k] + ": Jackson streaming", b.length, n -> {
                long h = 0;
                try {
                    for (int i = 0; i < n; i++) {
                        h = h * 31 + stream(factory, b);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return h;
            }));
        }
        JsonObject request = in.request;
        byte[] written = Json.writeBytes(request);
        JsonNode tree;
        try {
            tree = mapper.readTree(written);
            if (!Arrays.equals(mapper.writeValueAsBytes(tree), written)) {
                throw new IllegalStateException("Jackson writes the request differently from Parley");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cases.add(new JsonBench.Case("write chat request: Parley", written.length, n -> {
            long h = 0;
            for (int i = 0; i < n; i++) {
                byte[] out = Json.writeBytes(request);
                h = h * 31 + out.length + out[out.length >> 1];
            }
            return h;
        }));
        cases.add(new JsonBench.Case("write chat request: Jackson tree", written.length, n -> {
            long h = 0;
            try {
                for (int i = 0; i < n; i++) {
                    byte[] out = mapper.writeValueAsBytes(tree);
                    h = h * 31 + out.length + out[out.length >> 1];
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return h;
        }));
        cases.add(new JsonBench.Case("write chat request: Jackson streaming", written.length, n -> {
            long h = 0;
            try {
                for (int i = 0; i < n; i++) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
                    try (JsonGenerator g = factory.createGenerator(bytes)) {
                        generate(g, tree);
                    }
                    byte[] out = bytes.toByteArray();
                    h = h * 31 + out.length + out[out.length >> 1];
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return h;
        }));
        return cases;
    }

    /**
     * Reads every token and materialises what Parley's tree holds: names and strings as
     * {@code String}s, integers as {@code long}s, other numbers as their text.
     */
    static long stream(JsonFactory factory, byte[] b) throws IOException {
        long h = 0;
        try (com.fasterxml.jackson.core.JsonParser p = factory.createParser(b)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> h += p.currentName().length();
                    case VALUE_STRING -> h += p.getText().length();
                    case VALUE_NUMBER_INT -> h += p.getNumberType() == com.fasterxml.jackson.core.JsonParser.NumberType.BIG_INTEGER
                            ? p.getText().length() : p.getLongValue();
                    case VALUE_NUMBER_FLOAT -> h += p.getText().length();
                    default -> h++;
                }
            }
        }
        return h;
    }

    /** Writes a tree with generator calls, as hand-written streaming code would. */
    static void generate(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    g.writeFieldName(e.getKey());
                    generate(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode v : node) {
                    generate(g, v);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case NUMBER -> {
                if (node.isIntegralNumber()) {
                    g.writeNumber(node.longValue());
                } else {
                    g.writeNumber(node.doubleValue());
                }
            }
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            default -> throw new IllegalArgumentException(node.getNodeType().toString());
        }
    }
}
