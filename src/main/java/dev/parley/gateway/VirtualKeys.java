package dev.parley.gateway;

import java.security.MessageDigest;

import dev.parley.Usage;
import dev.parley.cost.ModelPrice;
import dev.parley.cost.PriceTable;
import dev.parley.gateway.Router.Target;
import dev.parley.spi.Ticker;

/**
 * The gateway's virtual keys, when it has a configuration file: who a bearer key is, and
 * whether that key may make a call now (its models, its rate limits, its budgets), all decided
 * before any upstream call. Every call, keyed or not, is priced here for the access log.
 *
 * <p>The configuration can be {@linkplain #replace replaced} while requests run: a request keeps
 * the key it was authenticated with, so it finishes under the limits and budgets it started
 * with; counts and spending are kept by key name and survive a reload. Thread-safe.
 */
final class VirtualKeys {

    /** The output tokens assumed for a request that does not set {@code max_tokens}, as {@code CostPolicy} assumes. */
    static final long DEFAULT_MAX_TOKENS = 4096;

    private final KeyLimits limits;
    private final SpendStore spend;
    private final PriceTable prices;
    private final Ticker ticker;
    private volatile KeysConfig config;

    VirtualKeys(KeysConfig config, KeyLimits limits, SpendStore spend, PriceTable prices, Ticker ticker) {
        this.config = config;
        this.limits = limits;
        this.spend = spend;
        this.prices = prices;
        this.ticker = ticker;
    }

    /** {@return whether keys come from a configuration file} */
    boolean enabled() {
        return config != null;
    }

    /** {@return how many virtual keys there are} */
    int count() {
        KeysConfig c = config;
        return c == null ? 0 : c.keys().size();
    }

    /** {@return the keys in use now, in file order; empty without a file} */
    java.util.List<VirtualKey> keys() {
        KeysConfig c = config;
        return c == null ? java.util.List.of() : c.keys();
    }

    /** {@return the names of the keys configured now} */
    java.util.List<String> names() {
        KeysConfig c = config;
        return c == null ? java.util.List.of() : c.keys().stream().map(VirtualKey::name).toList();
    }

    /** Replaces the keys; requests already admitted keep theirs. */
    void replace(KeysConfig next) {
        this.config = next;
    }

    /**
     * {@return the model a request for {@code model} goes to: what the configuration file's
     * alias of that name stands for, else {@code model} itself}
     */
    String dealias(String model) {
        KeysConfig c = config;
        if (c == null || model == null) {
            return model;
        }
        return c.aliases().getOrDefault(model, model);
    }

    /** {@return the spending store, for metrics and tests} */
    SpendStore spend() {
        return spend;
    }

    /**
     * {@return the key an {@code Authorization} header carries, or null if it carries none of them}.
     * The presented key's digest is compared with every key's, without stopping at a match.
     */
    VirtualKey authenticate(String authorization) {
        KeysConfig c = config;
        String presented = ApiKeys.bearer(authorization);
        if (c == null || presented == null) {
            return null;
        }
        byte[] digest = KeysConfig.digest(presented);
        VirtualKey found = null;
        for (VirtualKey k : c.keys()) {
            if (MessageDigest.isEqual(k.digest(), digest) & found == null) {
                found = k;
            }
        }
        return found;
    }

    /**
     * Admits a call of {@code entry}'s key (if any) to {@code target}: checks the model, takes a
     * rate-limit permit with the call's estimated tokens and reserves its worst-case cost.
     *
     * @param entry the request's access-log entry: its key is the caller, its route and model are set here
     * @param target where the call goes
     * @param asked the model as the client named it (an alias, it may be)
     * @param resolved the model it stands for, which picked {@code target}
     * @param inputTokens the call's estimated input tokens
     * @param maxOutput its {@code max_tokens}, or 0 for none (embeddings: 0)
     * @param output whether the call produces output tokens (chat) or not (embeddings)
     * @return the admission, to {@linkplain Admission#settle settle} exactly once
     * @throws ApiError 403, 429 or 402 when the key may not make the call now
     */
    Admission admit(AccessLog.Entry entry, Target target, String asked, String resolved, long inputTokens, long maxOutput,
                    boolean output) {
        String upstreamModel = target.model() != null ? target.model() : target.llm().defaultModel();
        entry.route = target.route();
        entry.model = asked != null ? asked : upstreamModel;
        ModelPrice price = upstreamModel == null ? null
                : prices.find(target.llm().providerName(), upstreamModel).orElse(null);
        VirtualKey key = entry.key;
        if (key == null) {
            return new Admission(entry, price, KeyLimits.Permit.NONE, null, 0);
        }
        if (!key.allows(asked) && !key.allows(resolved)) {
            throw new ApiError(403, "permission_error", "model_not_allowed", "model",
                    "The key '" + key.name() + "' may not use the model '" + entry.model + "'.");
        }
        long maxOut = output ? (maxOutput > 0 ? maxOutput : DEFAULT_MAX_TOKENS) : 0;
        KeyLimits.Permit permit = limits.acquire(key, inputTokens + maxOut);
        try {
            double worst = price == null || !key.hasBudget() ? 0 : price.worstCase(inputTokens, maxOut);
            SpendStore.Reservation r = spend.reserve(key, worst, ticker.instant());
            return new Admission(entry, price, permit, r, worst);
        } catch (RuntimeException e) {
            permit.release(0);
            throw e;
        }
    }

    /** An admitted call, settled once with what it used. */
    static final class Admission {
        private final AccessLog.Entry entry;
        private final ModelPrice price;
        private final KeyLimits.Permit permit;
        private final SpendStore.Reservation reservation;
        private final double worst;
        private boolean settled;

        private Admission(AccessLog.Entry entry, ModelPrice price, KeyLimits.Permit permit, SpendStore.Reservation reservation,
                          double worst) {
            this.entry = entry;
            this.price = price;
            this.permit = permit;
            this.reservation = reservation;
            this.worst = worst;
        }

        /**
         * Ends the call: records its tokens and cost on the access-log entry, corrects the
         * key's token count and spending. Later calls do nothing.
         *
         * @param usage what the call used ({@link Usage#ZERO} for a call that failed before any
         *              output), or null when it produced output but did not say how much (a
         *              stream without usage, or one the client left): then its token estimate
         *              stands and its budget is charged the worst case it reserved, so that
         *              unreported use cannot overrun a budget
         */
        void settle(Usage usage) {
            end(usage, false);
        }

        /**
         * Ends a call that failed before any output: frees its place and reservation and charges
         * nothing. It makes no spend row, so that requests for models no upstream knows (which
         * fail) cannot add rows, and series to {@code /metrics}, without end; the request is still
         * counted in {@code parley_gateway_requests_total} and the access log.
         */
        void failed() {
            end(Usage.ZERO, true);
        }

        /** {@link #settle} with {@code usage} when the call answered (non-null), else {@link #failed()}. */
        void settleOrFail(Usage usage) {
            if (usage == null) {
                failed();
            } else {
                settle(usage);
            }
        }

        private void end(Usage usage, boolean failed) {
            if (settled) {
                return;
            }
            settled = true;
            Usage u = usage == null ? Usage.ZERO : usage;
            double cost = usage == null ? worst : price == null ? 0 : price.cost(u);
            if (usage != null) {
                entry.inputTokens = u.inputTokens();
                entry.outputTokens = u.outputTokens();
                if (price != null) {
                    entry.cost = cost;
                }
            }
            permit.release(usage == null ? -1 : u.inputTokens() + u.outputTokens());
            if (reservation != null) {
                reservation.settle(failed ? null : entry.model, u, cost);
            }
        }
    }

    @Override
    public String toString() {
        return "VirtualKeys[" + count() + " keys]";
    }

}
