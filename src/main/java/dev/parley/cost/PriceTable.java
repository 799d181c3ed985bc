package dev.parley.cost;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonValue;

/**
 * Model prices by provider and model, with the date they were taken and their source.
 *
 * <p>{@link #builtIn()} is the table shipped in the jar: list prices of OpenAI, Anthropic and
 * DeepSeek models from the public Portkey-AI/models database (MIT), dated in {@link #asOf()}.
 * It is never fetched over the network. Prices change, so override or extend it:
 * {@snippet :
 * PriceTable prices = PriceTable.builtIn()
 *         .withPrice("openai", "my-fine-tune", ModelPrice.of(3.0, 12.0));
 * }
 * A table in the same JSON format can be read with {@link #parse(JsonObject)}.
 *
 * <p>Lookup ({@link #find}): the exact model; else the model without a date suffix
 * ({@code gpt-4o-2024-08-06} → {@code gpt-4o}, {@code claude-3-5-haiku-20241022} →
 * {@code claude-3-5-haiku}); else the longest priced name that the model starts with. Models
 * of the {@code ollama} provider cost nothing. Immutable and thread-safe.
 */
public final class PriceTable {

    private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4})$");
    /** The geography of a Bedrock cross-region inference profile, such as {@code us.} in {@code us.anthropic...}. */
    private static final Pattern BEDROCK_GEOGRAPHY = Pattern.compile("^(us|eu|apac|jp|au|ca|global)\\.(?=[a-z0-9-]+\\.)");
    private static volatile PriceTable builtIn;

    private final String asOf;
    private final String source;
    private final Map<String, Map<String, ModelPrice>> prices;

    private PriceTable(String asOf, String source, Map<String, Map<String, ModelPrice>> prices) {
        this.asOf = asOf;
        this.source = source;
        this.prices = prices;
    }

    /** {@return the table shipped with Parley}, read from the jar on first use */
    public static PriceTable builtIn() {
        PriceTable t = builtIn;
        if (t == null) {
            try (InputStream in = PriceTable.class.getResourceAsStream("prices.json")) {
                if (in == null) {
                    throw new IllegalStateException("the built-in price table is missing from the jar");
                }
                t = parse((JsonObject) Json.parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read the built-in price table", e);
            }
            builtIn = t;
        }
        return t;
    }

    /** {@return an empty table} */
    public static PriceTable empty() {
        return new PriceTable("", "", Map.of());
    }

    /**
     * {@return a table read from JSON} in the shipped format:
     * {@code {"asOf": "...", "source": "...", "providers": {"openai": {"gpt-4o": {"input": 2.5,
     * "output": 10, "cachedInput": 1.25}}}}}, prices in US dollars per 1,000,000 tokens.
     *
     * @param json the table, as JSON text
     * @throws dev.parley.json.JsonAccessException if the JSON has another shape, naming the path
     */
    public static PriceTable parse(JsonObject json) {
        Map<String, Map<String, ModelPrice>> all = new HashMap<>();
        for (Map.Entry<String, JsonValue> p : json.object("providers").members().entrySet()) {
            JsonObject models = json.object("providers").object(p.getKey());
            Map<String, ModelPrice> byModel = new HashMap<>();
            for (String model : models.members().keySet()) {
                JsonObject m = models.object(model);
                byModel.put(model.toLowerCase(Locale.ROOT), new ModelPrice(m.doubleValue("input"), m.doubleValue("output"),
                        m.optDouble("cachedInput").isPresent() ? m.optDouble("cachedInput").getAsDouble() : null,
                        m.optDouble("cacheWrite").isPresent() ? m.optDouble("cacheWrite").getAsDouble() : null));
            }
            all.put(p.getKey().toLowerCase(Locale.ROOT), Map.copyOf(byModel));
        }
        return new PriceTable(json.stringOr("asOf", ""), json.stringOr("source", ""), Map.copyOf(all));
    }

    /** {@return the date the prices were taken, such as "2026-08-21"; "" when unknown} */
    public String asOf() {
        return asOf;
    }

    /** {@return where the prices come from; "" when unknown} */
    public String source() {
        return source;
    }

    /**
     * {@return a copy with one price added or replaced}
     *
     * @param provider the provider's name, such as "openai"
     * @param model the model's name
     * @param price the model's price
     */
    public PriceTable withPrice(String provider, String model, ModelPrice price) {
        Objects.requireNonNull(price, "price");
        Map<String, Map<String, ModelPrice>> all = new HashMap<>(prices);
        Map<String, ModelPrice> byModel = new HashMap<>(all.getOrDefault(provider.toLowerCase(Locale.ROOT), Map.of()));
        byModel.put(model.toLowerCase(Locale.ROOT), price);
        all.put(provider.toLowerCase(Locale.ROOT), Map.copyOf(byModel));
        return new PriceTable(asOf, source, Map.copyOf(all));
    }

    /**
     * {@return a copy with every price of {@code other} added, replacing this table's for the same model}
     *
     * @param other the table whose prices are added
     */
    public PriceTable withAll(PriceTable other) {
        PriceTable t = this;
        for (Map.Entry<String, Map<String, ModelPrice>> p : other.prices.entrySet()) {
            for (Map.Entry<String, ModelPrice> m : p.getValue().entrySet()) {
                t = t.withPrice(p.getKey(), m.getKey(), m.getValue());
            }
        }
        return t;
    }

    /**
     * {@return the price of {@code model} at {@code provider}, if known}
     *
     * @param provider the provider's name; "deepseek" and "openai" tables are also searched for
     *                 OpenAI-compatible and Azure providers
     * @param model    the model as the request or response names it; a Bedrock cross-region
     *                 inference profile ({@code us.anthropic...}, {@code eu.}, {@code apac.},
     *                 {@code global.} ...) is priced as its model, as Bedrock charges no routing
     *                 cost for it, unless the table lists the profile itself
     */
    public Optional<ModelPrice> find(String provider, String model) {
        if (provider == null || model == null) {
            return Optional.empty();
        }
        String p = provider.toLowerCase(Locale.ROOT);
        if (p.equals("ollama")) {
            return Optional.of(ModelPrice.FREE);
        }
        String m = model.toLowerCase(Locale.ROOT);
        int slash = m.lastIndexOf('/');
        if (slash >= 0) {
            m = m.substring(slash + 1);
        }
        Map<String, ModelPrice> byModel = prices.get(p);
        if (byModel == null) {
            byModel = prices.get(p.startsWith("azure") ? "openai" : p);
        }
        if (byModel == null) {
            return Optional.empty();
        }
        ModelPrice exact = byModel.get(m);
        if (exact != null) {
            return Optional.of(exact);
        }
        if (p.equals("bedrock")) {
            String base = BEDROCK_GEOGRAPHY.matcher(m).replaceFirst("");
            if (!base.equals(m)) {
                return find(provider, base);
            }
        }
        String undated = DATE_SUFFIX.matcher(m).replaceFirst("");
        ModelPrice price = byModel.get(undated);
        if (price == null) {
            price = byModel.get(undated + "-latest");
        }
        if (price != null) {
            return Optional.of(price);
        }
        String best = null;
        for (String name : byModel.keySet()) {
            if (m.startsWith(name) && (best == null || name.length() > best.length())) {
                best = name;
            }
        }
        return Optional.ofNullable(best == null ? null : byModel.get(best));
    }

    /** {@return how many models are priced} */
    public int size() {
        return prices.values().stream().mapToInt(Map::size).sum();
    }
}
