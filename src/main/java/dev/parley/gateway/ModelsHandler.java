package dev.parley.gateway;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.parley.Llm;
import dev.parley.LlmException;
import dev.parley.ModelInfo;
import dev.parley.gateway.GatewayServer.Exchange;
import dev.parley.gateway.Router.Route;
import dev.parley.spi.Capability;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;

/**
 * Answers {@code GET /v1/models} and {@code GET /v1/models/{id}} with the models a client can
 * name: for a named route, the route's name itself (an alias of its default model) and
 * {@code name/model} for each model its provider lists; for the default route, the models'
 * plain ids. A provider that cannot list models, fails to, or lists none contributes its
 * default model. Each client is asked once per request. Thread-safe.
 */
final class ModelsHandler {

    private static final System.Logger LOG = System.getLogger("dev.parley.gateway");

    private final Router router;
    private final long started = Instant.now().getEpochSecond();

    ModelsHandler(Router router) {
        this.router = router;
    }

    /** Answers the list. @return the status sent @throws IOException if the client goes away */
    int list(Exchange ex) throws IOException {
        JsonArray.Builder data = JsonArray.newBuilder();
        entries().values().forEach(data::add);
        return HttpIo.sendJson(ex, 200, JsonObject.newBuilder().put("object", "list").put("data", data.build()).build());
    }

    /** Answers one model. @return the status sent @throws IOException if the client goes away */
    int one(Exchange ex, String id) throws IOException {
        JsonObject model = entries().get(id);
        if (model == null) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
                    "The model '" + id + "' does not exist or you do not have access to it.");
        }
        return HttpIo.sendJson(ex, 200, model);
    }

    private Map<String, JsonObject> entries() {
        Map<String, JsonObject> byId = new LinkedHashMap<>();
        Map<Llm, List<ModelInfo>> asked = new IdentityHashMap<>();
        for (Route r : router.routes()) {
            Llm llm = r.llm();
            List<ModelInfo> models = asked.computeIfAbsent(llm, this::models);
            boolean isDefault = r.name().equals(Router.DEFAULT);
            if (!isDefault) {
                byId.putIfAbsent(r.name(), entry(r.name(), llm.providerName(), started));
            }
            for (ModelInfo m : models) {
                String id = isDefault ? m.id() : r.name() + "/" + m.id();
                byId.putIfAbsent(id, entry(id, m.ownedBy() != null ? m.ownedBy() : llm.providerName(),
                        m.created() > 0 ? m.created() : started));
            }
        }
        return byId;
    }

    private List<ModelInfo> models(Llm llm) {
        List<ModelInfo> models;
        try {
            // Asking a provider that cannot list models would only count an error in its metrics.
            models = llm.asProvider().capabilities().contains(Capability.MODELS) ? llm.models() : List.of();
        } catch (LlmException e) {
            LOG.log(Level.DEBUG, "models: {0} cannot list models: {1}", llm.providerName(), e.getMessage());
            models = List.of();
        }
        if (models.isEmpty() && llm.defaultModel() != null) {
            models = List.of(new ModelInfo(llm.defaultModel(), llm.providerName(), 0, null));
        }
        return models;
    }

    private static JsonObject entry(String id, String ownedBy, long created) {
        return JsonObject.newBuilder()
                .put("id", id)
                .put("object", "model")
                .put("created", created)
                .put("owned_by", ownedBy)
                .build();
    }
}
