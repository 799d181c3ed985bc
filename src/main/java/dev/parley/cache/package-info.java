/**
 * A response cache for providers: {@link dev.parley.cache.CachePolicy} decorates a
 * {@link dev.parley.spi.Provider} so that identical chat and embedding requests are answered
 * from a {@link dev.parley.cache.CacheStore} instead of the network, and identical requests in
 * flight at the same time cost one call.
 */
package dev.parley.cache;
