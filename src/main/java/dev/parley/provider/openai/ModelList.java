package dev.parley.provider.openai;

import java.util.ArrayList;
import java.util.List;

import dev.parley.ModelInfo;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonObject;

/** Reads the model list of {@code GET /models}. Stateless. */
final class ModelList {

    private ModelList() {
    }

    /** {@return the models of a {@code GET /models} list} */
    static List<ModelInfo> decode(JsonObject body) {
        JsonArray data = body.array("data");
        List<ModelInfo> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonObject m = data.object(i);
            out.add(new ModelInfo(m.string("id"), m.optString("owned_by").orElse(null),
                    m.optLong("created").orElse(0), m));
        }
        return out;
    }
}
