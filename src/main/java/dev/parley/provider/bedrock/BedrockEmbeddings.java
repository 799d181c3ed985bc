package dev.parley.provider.bedrock;

import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

import dev.parley.Embedding;
import dev.parley.EmbeddingRequest;
import dev.parley.EmbeddingResponse;
import dev.parley.LlmException;
import dev.parley.Usage;
import dev.parley.http.HttpErrors;
import dev.parley.http.Transport;
import dev.parley.json.Json;
import dev.parley.json.JsonAccessException;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Embeddings through InvokeModel, whose body is the model's own: the model id's prefix picks it.
 *
 * <ul>
 * <li>Amazon Titan ({@code amazon.titan-embed-*}): one text per request,
 *     {@code {"inputText": ..., "dimensions": n}} (dimensions only when asked for), answered with
 *     {@code {"embedding": [...], "inputTextTokenCount": n}}. A batch is sent as one request per
 *     input, at most {@value #CONCURRENCY} at a time, and answered in input order; the first
 *     failure (in input order) fails the call and cancels the rest.</li>
 * <li>Cohere Embed ({@code cohere.embed-*}): {@code {"texts": [...], "input_type":
 *     "search_document"}}, in batches of at most {@value #COHERE_BATCH} texts (Bedrock's limit),
 *     answered with {@code {"embeddings": [[...]]}} (v3) or {@code {"embeddings": {"float":
 *     [[...]]}}} (v4). The token count comes from the {@code x-amzn-bedrock-input-token-count}
 *     header. For queries, set {@code "input_type": "search_query"} in {@code extra}.</li>
 * </ul>
 * {@code extra} is merged into each request body last. Other models fail with UNSUPPORTED.
 *
 * <p>Stateless and thread-safe.
 */
final class BedrockEmbeddings {

    /** The most Titan requests in flight for one call. */
    static final int CONCURRENCY = 4;
    /** The most texts per Cohere request. */
    static final int COHERE_BATCH = 96;
    private static final String TOKEN_COUNT = "x-amzn-bedrock-input-token-count";

    private BedrockEmbeddings() {
    }

    /**
     * {@return the embeddings of every input, in input order}
     *
     * @param provider the provider's name
     * @param request  the request, whose model is set
     * @param invoke   sends one InvokeModel body and returns the 2xx response
     */
    static EmbeddingResponse embed(String provider, EmbeddingRequest request,
                                   Function<JsonObject, Transport.Response> invoke) {
        String model = request.model();
        if (model.contains("titan-embed")) {
            return titan(provider, request, invoke);
        }
        if (model.contains("cohere.embed")) {
            return cohere(provider, request, invoke);
        }
        throw LlmException.newBuilder(LlmException.Kind.UNSUPPORTED).provider(provider)
                .message("Parley embeds on Bedrock with Amazon Titan (amazon.titan-embed-*) and Cohere Embed"
                        + " (cohere.embed-*) models, not " + model)
                .build();
    }

    private static EmbeddingResponse titan(String provider, EmbeddingRequest request,
                                           Function<JsonObject, Transport.Response> invoke) {
        List<String> inputs = request.inputs();
        List<Future<Transport.Response>> futures = new ArrayList<>(inputs.size());
        Semaphore slots = new Semaphore(CONCURRENCY);
        List<Transport.Response> responses = new ArrayList<>(inputs.size());
        try (ExecutorService pool = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("parley-bedrock-embed-", 0).factory())) {
            try {
                for (String input : inputs) {
                    JsonObject.Builder body = JsonObject.newBuilder().put("inputText", input);
                    if (request.dimensions() != null) {
                        body.put("dimensions", request.dimensions());
                    }
                    request.extra().members().forEach(body::put);
                    JsonObject built = body.build();
                    slots.acquire();
                    futures.add(pool.submit(() -> {
                        try {
                            return invoke.apply(built);
                        } finally {
                            slots.release();
                        }
                    }));
                }
                for (Future<Transport.Response> f : futures) {
                    responses.add(f.get());
                }
            } catch (InterruptedException e) {
                pool.shutdownNow(); // interrupts the requests in flight, which aborts their exchanges
                Thread.currentThread().interrupt();
                throw LlmException.newBuilder(LlmException.Kind.TIMEOUT).provider(provider)
                        .message("the call was interrupted (cancelled or past its deadline); the requests were aborted")
                        .cause(e).build();
            } catch (ExecutionException e) {
                pool.shutdownNow();
                if (e.getCause() instanceof LlmException l) {
                    throw l;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw HttpErrors.fromException(provider, e.getCause(), null);
            }
        }
        List<Embedding> embeddings = new ArrayList<>(responses.size());
        long tokens = 0;
        for (int i = 0; i < responses.size(); i++) {
            Transport.Response r = responses.get(i);
            JsonObject body = parse(provider, r);
            try {
                embeddings.add(new Embedding(i, vector(body.array("embedding"))));
                tokens += body.optLong("inputTextTokenCount").orElse(0);
            } catch (JsonException | IllegalArgumentException e) {
                throw unexpected(provider, r, e);
            }
        }
        Transport.Response last = responses.get(responses.size() - 1);
        return new EmbeddingResponse(request.model(), provider, embeddings, new Usage(tokens, 0, tokens, 0, 0, 0),
                HttpErrors.requestId(last.headers()), last.headers());
    }

    private static EmbeddingResponse cohere(String provider, EmbeddingRequest request,
                                            Function<JsonObject, Transport.Response> invoke) {
        List<String> inputs = request.inputs();
        List<Embedding> embeddings = new ArrayList<>(inputs.size());
        long tokens = 0;
        HttpHeaders headers = null;
        for (int from = 0; from < inputs.size(); from += COHERE_BATCH) {
            List<String> batch = inputs.subList(from, Math.min(inputs.size(), from + COHERE_BATCH));
            JsonObject.Builder body = JsonObject.newBuilder()
                    .put("texts", JsonArray.ofStrings(batch))
                    .put("input_type", "search_document");
            if (request.dimensions() != null) {
                body.put("output_dimension", request.dimensions());
            }
            request.extra().members().forEach(body::put);
            Transport.Response r = invoke.apply(body.build());
            JsonObject json = parse(provider, r);
            try {
                JsonValue e = json.get("embeddings").orElseThrow(() -> new JsonAccessException("embeddings", "missing"));
                JsonArray vectors = e instanceof JsonObject byType ? byType.array("float") : json.array("embeddings");
                if (vectors.size() != batch.size()) {
                    throw new IllegalArgumentException(batch.size() + " texts were sent and " + vectors.size()
                            + " embeddings came back");
                }
                for (int i = 0; i < vectors.size(); i++) {
                    embeddings.add(new Embedding(from + i, vector(vectors.array(i))));
                }
            } catch (JsonException | IllegalArgumentException e) {
                throw unexpected(provider, r, e);
            }
            tokens += r.headers().firstValueAsLong(TOKEN_COUNT).orElse(0);
            headers = r.headers();
        }
        return new EmbeddingResponse(request.model(), provider, embeddings, new Usage(tokens, 0, tokens, 0, 0, 0),
                HttpErrors.requestId(headers), headers);
    }

    private static float[] vector(JsonArray values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) values.doubleValue(i);
        }
        return v;
    }

    private static JsonObject parse(String provider, Transport.Response r) {
        try {
            return ConverseDecoder.object(Json.parse(r.body()));
        } catch (JsonException e) {
            throw unexpected(provider, r, e);
        }
    }

    private static LlmException unexpected(String provider, Transport.Response r, Exception e) {
        return LlmException.newBuilder(LlmException.Kind.SERVER_ERROR).provider(provider).statusCode(r.status())
                .message("unexpected response from InvokeModel: " + e.getMessage())
                .requestId(HttpErrors.requestId(r.headers())).retryable(false).cause(e).build();
    }
}
