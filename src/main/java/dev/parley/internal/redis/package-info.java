/**
 * State that several gateway instances share through Redis (7, or Valkey): a RESP client on the
 * JDK alone, and on it the response cache, sliding-window limits and budgets. Not exported: the
 * gateway configures it from {@code PARLEY_REDIS_URL}.
 */
package dev.parley.internal.redis;
