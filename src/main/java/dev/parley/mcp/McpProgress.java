package dev.parley.mcp;

/**
 * A progress report from an MCP server about a call still running.
 *
 * @param progress how far it is; grows with every report, in units the server chooses
 * @param total    the value {@code progress} will reach, or {@code NaN} when the server does not
 *                 know
 * @param message  what it is doing now, for people, or null
 */
public record McpProgress(double progress, double total, String message) {
}
