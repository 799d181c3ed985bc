package dev.parley.gateway;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import dev.parley.Usage;

/**
 * Each virtual key's spending: budgets checked before a call with its worst case, and what calls
 * used, per key, model and UTC day. An implementation may keep this in the process
 * ({@link LocalSpendStore}) or share it between gateways. Implementations are thread-safe.
 */
interface SpendStore {

    /**
     * Reserves a call's worst-case cost against {@code key}'s budgets, or refuses it.
     *
     * @param key the key, whose current budgets apply
     * @param worstUsd the most the call could cost, in US dollars; 0 when it is free or has no price
     * @param now the time of the call, which picks the day and month
     * @return the reservation, to {@linkplain Reservation#settle settle} exactly once when the call ends
     * @throws ApiError 402 {@code insufficient_quota} when a budget is used up or the worst case does not fit
     */
    Reservation reserve(VirtualKey key, double worstUsd, Instant now);

    /**
     * {@return what each key used, per model and UTC day (or per model in all time, with no day,
     * for a store that keeps totals), in no particular order}
     */
    List<Spend> spend();

    /** A reserved call. */
    interface Reservation {

        /**
         * Ends the call: drops the reservation and records what it used.
         *
         * @param model the model to record it under, or null for a call that failed before any
         *              output: it drops the reservation and makes no row
         * @param usage the tokens it used ({@link Usage#ZERO} if unknown)
         * @param usd what that cost, in US dollars
         */
        void settle(String model, Usage usage, double usd);
    }

    /**
     * What one key used on one model in one UTC day, or in all time.
     *
     * @param key the key's name
     * @param model the model, as the client asked for it
     * @param day the UTC day, or null when the row sums every day
     * @param requests the calls settled
     * @param inputTokens their input tokens
     * @param outputTokens their output tokens
     * @param usd their cost in US dollars
     */
    record Spend(String key, String model, LocalDate day, long requests, long inputTokens, long outputTokens, double usd) {
    }
}
