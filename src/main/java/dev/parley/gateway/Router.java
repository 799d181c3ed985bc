package dev.parley.gateway;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.parley.Llm;

/**
 * Picks the {@link Llm} and the upstream model name for the model a client asks for:
 * <ol>
 * <li>a route's name, exactly ({@code "fast"}): that route, with its {@code Llm}'s default model;</li>
 * <li>{@code name/model} where {@code name} is a route ({@code "anthropic/claude-sonnet-4-5"}):
 *     that route, with the text after the first slash as the model;</li>
 * <li>anything else: the default route with the model as given (slashes included, for
 *     providers whose model names have them); no default route means 404 model_not_found.</li>
 * </ol>
 * A missing model goes to the default route's default model. The default route also answers to
 * the name {@value #DEFAULT}. Immutable and thread-safe.
 */
final class Router {

    /** The name of the default route, in metrics, readiness and as an alias. */
    static final String DEFAULT = "default";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Where a request goes. @param route the route's name @param llm its client @param model the upstream model, or null for the client's default */
    record Target(String route, Llm llm, String model) {
    }

    /** A route: a name and its client. */
    record Route(String name, Llm llm) {
    }

    private final Map<String, Llm> named;
    private final Llm fallback;

    Router(Map<String, Llm> named, Llm fallback) {
        this.named = new LinkedHashMap<>(named);
        this.fallback = fallback;
    }

    /** Checks a route name. @throws IllegalArgumentException naming the problem */
    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("route: expected 1 to 64 letters, digits, '.', '_', ':' or '-' (no '/'), got \""
                    + name + "\"");
        }
        if (name.equals(DEFAULT)) {
            throw new IllegalArgumentException("route: \"default\" is the default route's name; use defaultRoute(llm)");
        }
    }

    /** {@return where a request for {@code model} goes} @throws ApiError 404 when no route takes it */
    Target resolve(String model) {
        if (model == null || model.isEmpty()) {
            return defaultTarget(null, model);
        }
        Llm exact = named.get(model);
        if (exact != null) {
            return new Target(model, exact, null);
        }
        if (model.equals(DEFAULT)) {
            return defaultTarget(null, model);
        }
        int slash = model.indexOf('/');
        if (slash > 0 && slash < model.length() - 1) {
            Llm prefixed = named.get(model.substring(0, slash));
            if (prefixed != null) {
                return new Target(model.substring(0, slash), prefixed, model.substring(slash + 1));
            }
        }
        return defaultTarget(model, model);
    }

    private Target defaultTarget(String upstreamModel, String asked) {
        if (fallback == null) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model",
                    asked == null || asked.isEmpty() ? "No model given and this gateway has no default route."
                            : "The model '" + asked + "' does not exist or you do not have access to it.");
        }
        return new Target(DEFAULT, fallback, upstreamModel);
    }

    /** {@return every route, the default last, in the order they were configured} */
    List<Route> routes() {
        List<Route> all = new ArrayList<>();
        named.forEach((name, llm) -> all.add(new Route(name, llm)));
        if (fallback != null) {
            all.add(new Route(DEFAULT, fallback));
        }
        return all;
    }

    /**
     * {@return each distinct client once, under the first route name it was configured with}:
     * the same {@code Llm} under two names is probed once and its metrics are not counted twice
     */
    List<Route> distinctClients() {
        Map<Llm, String> seen = new IdentityHashMap<>();
        List<Route> out = new ArrayList<>();
        for (Route r : routes()) {
            if (seen.putIfAbsent(r.llm(), r.name()) == null) {
                out.add(r);
            }
        }
        return out;
    }
}
