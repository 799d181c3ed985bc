package dev.parley.gateway;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The {@code model} label value of a request in the gateway's histograms, chosen so that clients
 * cannot grow the number of series by sending made-up model names:
 * <ul>
 * <li>{@value RequestHistograms#NONE} when the request reached no route (refused before, or no
 *     route takes its model);</li>
 * <li>the model as the client named it when the gateway knows the name: a route's name, a route's
 *     default model, an alias of the configuration file, or a model an upstream has already
 *     answered successfully (at most {@value #MAX_LEARNED} of those);</li>
 * <li>{@value #OTHER} otherwise.</li>
 * </ul>
 * Thread-safe.
 */
final class ModelLabels {

    static final String OTHER = "other";
    static final int MAX_LEARNED = 200;

    private final Set<String> configured;
    private final UnaryOperator<String> dealias;
    private final Set<String> learned = ConcurrentHashMap.newKeySet();

    /**
     * @param router  the routes: their names and default models are known
     * @param dealias the configuration file's aliases (a name that is not one comes back as it is)
     */
    ModelLabels(Router router, UnaryOperator<String> dealias) {
        Set<String> names = new HashSet<>();
        for (Router.Route r : router.routes()) {
            names.add(r.name());
            if (r.llm().defaultModel() != null) {
                names.add(r.llm().defaultModel());
            }
        }
        this.configured = Set.copyOf(names);
        this.dealias = dealias;
    }

    /**
     * {@return the label value for a request}
     *
     * @param route  the route it went to, or null
     * @param model  the model as the client named it (or the route's default), or null
     * @param status the status it was answered with: a 200 teaches a new name, while there is room
     */
    String label(String route, String model, int status) {
        if (route == null || model == null || model.isEmpty()) {
            return RequestHistograms.NONE;
        }
        if (configured.contains(model) || learned.contains(model) || !dealias.apply(model).equals(model)) {
            return model;
        }
        if (status == 200 && learned.size() < MAX_LEARNED && model.length() <= 128) {
            learned.add(model);
            return model;
        }
        return OTHER;
    }
}
