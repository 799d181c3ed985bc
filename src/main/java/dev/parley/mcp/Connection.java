package dev.parley.mcp;

import dev.parley.json.JsonObject;

/**
 * How JSON-RPC messages reach an MCP server and come back: a process's stdin and stdout, or
 * Streamable HTTP. A connection hands every message it receives, and its own failure, to the
 * {@link Session} it was opened with.
 */
interface Connection {

    /**
     * Sends one message.
     *
     * @param message the JSON-RPC message
     * @param requestId the id when the message is a request the session waits for, else -1
     * @throws dev.parley.LlmException if it cannot be sent
     */
    void send(JsonObject message, long requestId);

    /** Called once the server has agreed a protocol version, before {@code notifications/initialized} goes. */
    default void initialized(String protocolVersion) {
    }

    /** Stops waiting for the answer to {@code requestId}: it was cancelled or timed out. */
    default void abandon(long requestId) {
    }

    /** Ends the connection and frees what it holds (process, threads, HTTP session); idempotent. */
    void close();
}
