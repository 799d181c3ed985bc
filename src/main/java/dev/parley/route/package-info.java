/**
 * Policies that choose which provider answers: {@link dev.parley.route.FallbackPolicy} tries
 * alternatives in order when one is unavailable, {@link dev.parley.route.CircuitBreaker} stops
 * calling a provider that keeps failing for a while, and {@link dev.parley.route.WeightedRouter}
 * spreads calls across deployments of the same model.
 *
 * <p>Put these outside the retry policy, so that a provider is given up only after its retries:
 * {@snippet :
 * Provider p = fallback.decorate(breaker.decorate(retry.decorate(openai)));
 * }
 */
package dev.parley.route;
