/**
 * A client for the Model Context Protocol (MCP): connect to a tool server over stdio (a process
 * the client starts) or Streamable HTTP, list its tools, and call them.
 *
 * <p>{@link dev.parley.mcp.McpClient} is the entry point. Its tools come back as
 * {@link dev.parley.mcp.McpTool}, which {@linkplain dev.parley.mcp.McpTool#toTool() converts} to
 * the {@link dev.parley.Tool} a model is offered, and a call's outcome as
 * {@link dev.parley.mcp.McpToolResult}, which renders as the text a model reads back. Failures
 * are {@link dev.parley.LlmException}s, as for every other call Parley makes.
 */
package dev.parley.mcp;
