package dev.parley.gateway;

/**
 * What the gateway's HTTP server allows a client, checked by {@link Gateway.Builder}.
 *
 * @param maxConnections      open connections at most, from every client together; more are refused
 * @param maxPerAddress       open connections at most from one client IP address; more are refused
 * @param headerNanos         from a connection's opening, or the first byte of a later request on it,
 *                            to the end of the request's headers
 * @param bodyNanos           from the end of the headers to the end of the request body
 * @param idleNanos           how long a kept-alive connection may wait for its next request, and how
 *                            long one write of the answer may stall (a client that stopped reading)
 */
record ServerLimits(int maxConnections, int maxPerAddress, long headerNanos, long bodyNanos, long idleNanos) {
}
