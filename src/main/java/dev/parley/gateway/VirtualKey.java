package dev.parley.gateway;

import java.util.List;

/**
 * One client key from the gateway's configuration file: its name (what logs and metrics show),
 * the SHA-256 digest of the key (never the key), who owns it, which models it may ask for, its
 * rate limits and its budgets. Limits and budgets of 0 or {@code null} mean none. Immutable: a
 * reload builds new ones, so a request keeps the key it was admitted with.
 *
 * @param name the key's name, unique in the file
 * @param digest the SHA-256 digest of the key, 32 bytes
 * @param owner who the key belongs to, or null
 * @param team the team it belongs to, or null
 * @param models the model patterns it may ask for (exact names, or a prefix ending in {@code *}); empty for any
 * @param rpm the most requests per minute, 0 for no limit
 * @param tpm the most tokens per minute (estimated before the call, settled after), 0 for no limit
 * @param concurrency the most requests at once, 0 for no limit
 * @param daily the most US dollars per UTC day, or null
 * @param monthly the most US dollars per UTC month, or null
 * @param total the most US dollars ever, or null
 */
record VirtualKey(String name, byte[] digest, String owner, String team, List<String> models,
                  long rpm, long tpm, int concurrency, Double daily, Double monthly, Double total) {

    VirtualKey {
        models = List.copyOf(models);
        digest = digest.clone();
    }

    /** {@return whether this key may ask for {@code model}, as the client named it} */
    boolean allows(String model) {
        if (models.isEmpty()) {
            return true;
        }
        String m = model == null ? "" : model;
        for (String p : models) {
            if (p.endsWith("*") ? m.startsWith(p.substring(0, p.length() - 1)) : p.equals(m)) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether the key has any budget} */
    boolean hasBudget() {
        return daily != null || monthly != null || total != null;
    }

    @Override
    public String toString() {
        return "VirtualKey[" + name + "]";
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
