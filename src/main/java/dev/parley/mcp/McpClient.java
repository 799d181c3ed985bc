package dev.parley.mcp;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import dev.parley.LlmException;
import dev.parley.LlmException.Kind;
import dev.parley.json.JsonArray;
import dev.parley.json.JsonException;
import dev.parley.json.JsonObject;
import dev.parley.json.JsonString;
import dev.parley.json.JsonValue;
import dev.parley.tools.ToolLoop;
import dev.parley.tools.Toolbox;

/**
 * A connection to one MCP server: lists its tools and calls them.
 *
 * {@snippet :
 * try (McpClient mcp = McpClient.stdio(List.of("npx", "-y", "@modelcontextprotocol/server-everything"))
 *         .requestTimeout(Duration.ofSeconds(30))
 *         .connect()) {
 *     List<McpTool> tools = mcp.listTools();
 *     McpToolResult r = mcp.callTool("echo", JsonObject.of("message", JsonString.of("hi")));
 *     System.out.println(r.toModelText());
 * }
 * }
 *
 * <p>{@link #stdio(List)} starts the server as a child process and speaks to it on its stdin and
 * stdout; {@link #http(URI)} speaks Streamable HTTP to a server already running. Either way,
 * {@link Builder#connect()} performs the protocol's handshake (protocol version and capabilities)
 * before it returns. The client speaks protocol revision {@value #PROTOCOL_VERSION} and accepts a
 * server that answers with 2025-06-18 or 2025-03-26.
 *
 * <p>Every failure is an {@link LlmException} with provider {@code "mcp"}: an error the server
 * answered with ({@link LlmException#errorCode()} holds its JSON-RPC code; "method not found" is
 * {@link Kind#UNSUPPORTED}, invalid parameters {@link Kind#INVALID_REQUEST}), no answer in time
 * ({@link Kind#TIMEOUT}, after telling the server the request is cancelled), a server that
 * exited or a connection that broke ({@link Kind#NETWORK}), or a server that broke the protocol
 * ({@link Kind#SERVER_ERROR}). Interrupting a thread that waits for an answer cancels its request
 * the same way. After the connection breaks, every call fails at once with the same error.
 *
 * <p>Thread-safe: calls from several threads run concurrently over the one connection.
 * {@link #close()} ends the session and, for stdio, the server process and every process it
 * started.
 */
public final class McpClient implements AutoCloseable {

    /** The protocol revision this client asks for. */
    public static final String PROTOCOL_VERSION = "2025-11-25";

    /** The revisions it accepts from a server, newest first. */
    static final List<String> SUPPORTED_VERSIONS = List.of(PROTOCOL_VERSION, "2025-06-18", "2025-03-26");

    private final Session session;
    private final Connection connection;
    private final String description;
    private final Duration requestTimeout;
    private final int maxPages;
    private final AtomicLong toolsGeneration = new AtomicLong();
    private volatile List<McpTool> tools;
    private String protocolVersion;
    private JsonObject serverInfo = JsonObject.of();
    private JsonObject serverCapabilities = JsonObject.of();
    private String instructions;

    private McpClient(Builder b) {
        this.requestTimeout = b.requestTimeout;
        this.maxPages = b.maxPages;
        Runnable listener = b.onToolsChanged;
        this.session = new Session(() -> {
            toolsGeneration.incrementAndGet();
            tools = null;
            if (listener != null) {
                // Its own thread: the listener may call listTools(), whose answer this reader delivers.
                Thread.ofVirtual().name("mcp-tools-changed").start(listener);
            }
        });
        if (b.command != null) {
            this.connection = StdioConnection.start(session, b.command, b.environment, b.directory, b.maxMessageSize);
            this.description = "stdio " + b.command.get(0);
        } else {
            this.connection = new HttpConnection(session, b.endpoint, b.headers, requestTimeout, b.maxMessageSize);
            this.description = "http " + HttpConnection.redacted(b.endpoint);
        }
        session.connection(connection);
    }

    /**
     * {@return a builder for a client that starts the server as a child process}
     *
     * @param command the program and its arguments, such as
     *     {@code List.of("node", "server.js", "stdio")}
     * @throws IllegalArgumentException if the command is empty
     */
    public static Builder stdio(List<String> command) {
        List<String> copy = List.copyOf(Objects.requireNonNull(command, "command"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("command: expected the program to run and its arguments, got an empty list");
        }
        return new Builder(copy, null);
    }

    /**
     * {@return a builder for a client of a server that speaks Streamable HTTP}
     *
     * @param endpoint the server's MCP endpoint, such as {@code http://127.0.0.1:3001/mcp}
     * @throws IllegalArgumentException if it is not an http or https URI
     */
    public static Builder http(URI endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("endpoint: expected an http or https URI, got " + HttpConnection.redacted(endpoint));
        }
        return new Builder(null, endpoint);
    }

    private void initialize(String name, String version) {
        JsonObject params = JsonObject.newBuilder()
                .put("protocolVersion", PROTOCOL_VERSION)
                .put("capabilities", JsonObject.of())
                .put("clientInfo", JsonObject.newBuilder().put("name", name).put("version", version).build())
                .build();
        JsonObject result = session.request("initialize", params, requestTimeout, null);
        try {
            String agreed = result.string("protocolVersion");
            if (!SUPPORTED_VERSIONS.contains(agreed)) {
                throw LlmException.newBuilder(Kind.UNSUPPORTED).provider(Session.PROVIDER)
                        .message("the server speaks protocol revision " + agreed + "; this client speaks "
                                + String.join(", ", SUPPORTED_VERSIONS))
                        .build();
            }
            protocolVersion = agreed;
            serverInfo = result.optObject("serverInfo").orElse(JsonObject.of());
            serverCapabilities = result.optObject("capabilities").orElse(JsonObject.of());
            instructions = result.optString("instructions").orElse(null);
        } catch (JsonException e) {
            throw Session.protocolError("an initialize result that does not follow the schema (" + e.getMessage() + ")");
        }
        connection.initialized(protocolVersion);
        session.notify("notifications/initialized", null);
    }

    /** {@return the protocol revision agreed with the server, such as "2025-11-25"} */
    public String protocolVersion() {
        return protocolVersion;
    }

    /** {@return what the server says it is: {@code name}, {@code version}, perhaps {@code title}} */
    public JsonObject serverInfo() {
        return serverInfo;
    }

    /** {@return the capabilities the server declared: {@code tools}, {@code resources}, ...} */
    public JsonObject serverCapabilities() {
        return serverCapabilities;
    }

    /** {@return the server's instructions for using it, for a model's system prompt; null when it gave none} */
    public String instructions() {
        return instructions;
    }

    /**
     * {@return the server's tools}, every page of them. The list is kept until the server says
     * it changed ({@code notifications/tools/list_changed}); then the next call asks again.
     *
     * @throws LlmException if the server fails, or pages without end (more pages than the
     *     builder's {@linkplain Builder#maxPages(int) limit}, or a cursor it gave before)
     */
    public List<McpTool> listTools() {
        List<McpTool> cached = tools;
        if (cached != null) {
            return cached;
        }
        long generation = toolsGeneration.get();
        List<McpTool> all = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        for (int page = 1; ; page++) {
            if (page > maxPages) {
                throw Session.protocolError("more than " + maxPages + " pages of tools; the listing was abandoned");
            }
            JsonObject params = cursor == null ? JsonObject.of() : JsonObject.of("cursor", JsonString.of(cursor));
            JsonObject result = session.request("tools/list", params, requestTimeout, null);
            try {
                for (JsonValue v : result.optArray("tools").orElse(JsonArray.of()).values()) {
                    McpTool tool = v instanceof JsonObject o ? McpTool.fromJson(o) : null;
                    if (tool == null) {
                        throw Session.protocolError("a tool without a name: " + Session.excerpt(String.valueOf(v)));
                    }
                    all.add(tool);
                }
                cursor = result.optString("nextCursor").orElse(null);
            } catch (JsonException e) {
                throw Session.protocolError("a tools/list result that does not follow the schema (" + e.getMessage() + ")");
            }
            if (cursor == null) {
                break;
            }
            if (!cursors.add(cursor)) {
                throw Session.protocolError("the cursor \"" + Session.excerpt(cursor) + "\" twice; the listing was abandoned");
            }
        }
        List<McpTool> result = List.copyOf(all);
        if (toolsGeneration.get() == generation) {
            tools = result;
        }
        return result;
    }

    /**
     * {@return the server's tools, ready for a {@link ToolLoop}}: each one's declaration, and a
     * handler that calls it here and gives the model {@link McpToolResult#toModelText()} (a tool
     * that reports a failure shows the model "Error: ..."; a call that fails, such as a timeout,
     * goes to the model as the loop's tool failure). The list is read now; call again after the
     * server says its tools changed.
     *
     * {@snippet :
     * ToolLoopResult r = ToolLoop.newBuilder(llm).tools(mcp.toolbox()).build().run("Add 2 and 40");
     * }
     *
     * @throws LlmException if the tools cannot be listed
     * @throws IllegalArgumentException if a tool's name is not a valid model tool name (1 to 64
     *     letters, digits, '_' or '-'); {@link #toolbox(String)} can prefix, but not repair, names
     */
    public Toolbox toolbox() {
        return toolbox("");
    }

    /**
     * {@return the server's tools, ready for a {@link ToolLoop}, each offered to the model as
     * {@code prefix} followed by its name}: to tell apart the tools of several servers, joined
     * with {@link Toolbox#with(Toolbox)}. Otherwise as {@link #toolbox()}.
     *
     * @param prefix what goes before each name, such as {@code "github_"}; may be empty
     * @throws LlmException if the tools cannot be listed
     * @throws IllegalArgumentException if a prefixed name is not a valid model tool name
     */
    public Toolbox toolbox(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        Toolbox.Builder b = Toolbox.newBuilder();
        for (McpTool tool : listTools()) {
            String name = tool.name();
            b.add(tool.toTool(prefix + name), arguments -> callTool(name, arguments).toModelText(), false);
        }
        return b.build();
    }

    /**
     * Calls a tool, waiting at most the builder's request timeout.
     *
     * @param name the tool's name on the server ({@link McpTool#name()})
     * @param arguments the arguments, following the tool's input schema
     * @return the result; check {@link McpToolResult#isError()}
     * @throws LlmException if the call fails, times out or is interrupted
     */
    public McpToolResult callTool(String name, JsonObject arguments) {
        return callTool(name, arguments, requestTimeout, null);
    }

    /**
     * Calls a tool and reports its progress, waiting at most the builder's request timeout.
     *
     * @param name the tool's name on the server ({@link McpTool#name()})
     * @param arguments the arguments, following the tool's input schema
     * @param onProgress receives the server's progress reports, on the connection's reader thread:
     *     it must return quickly and must not call this client
     * @return the result; check {@link McpToolResult#isError()}
     * @throws LlmException if the call fails, times out or is interrupted
     */
    public McpToolResult callTool(String name, JsonObject arguments, Consumer<McpProgress> onProgress) {
        return callTool(name, arguments, requestTimeout, onProgress);
    }

    /**
     * Calls a tool.
     *
     * @param name the tool's name on the server ({@link McpTool#name()})
     * @param arguments the arguments, following the tool's input schema
     * @param timeout how long to wait for the result; then the call is cancelled
     * @param onProgress receives the server's progress reports, on the connection's reader thread
     *     (it must return quickly and must not call this client); null for none
     * @return the result; check {@link McpToolResult#isError()}
     * @throws LlmException if the call fails, times out or is interrupted
     */
    public McpToolResult callTool(String name, JsonObject arguments, Duration timeout, Consumer<McpProgress> onProgress) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
        Objects.requireNonNull(timeout, "timeout");
        JsonObject params = JsonObject.newBuilder().put("name", name).put("arguments", arguments).build();
        return McpToolResult.fromJson(session.request("tools/call", params, timeout, onProgress));
    }

    /**
     * Checks that the server answers.
     *
     * @throws LlmException if it does not answer within the request timeout, or the connection is broken
     */
    public void ping() {
        session.request("ping", null, requestTimeout, null);
    }

    /**
     * Ends the session: over stdio, closes the server's stdin, waits up to two seconds for it to
     * exit, then ends it and every process it started; over HTTP, asks the server to end the
     * session. Calls still waiting fail. Idempotent.
     */
    @Override
    public void close() {
        if (session.closed() == null) {
            session.fail(Session.error(Kind.NETWORK, "the client was closed", null));
        }
        connection.close();
    }

    /** {@return the transport and the server, never a header's value} */
    @Override
    public String toString() {
        return "McpClient[" + description + (protocolVersion == null ? "" : ", protocol " + protocolVersion) + "]";
    }

    /** The HTTP session's id, for tests; null over stdio or before the server gave one. */
    String sessionId() {
        return connection instanceof HttpConnection h ? h.sessionId() : null;
    }

    /** The server's process, for tests; null over HTTP. */
    Process process() {
        return connection instanceof StdioConnection s ? s.process() : null;
    }

    /**
     * Configures an {@link McpClient}. Mutable and not thread-safe; {@link #connect()} may be
     * called more than once, for a new client each time.
     */
    public static final class Builder {
        private final List<String> command;
        private final URI endpoint;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Path directory;
        private Duration requestTimeout = Duration.ofSeconds(60);
        private String clientName = "parley";
        private String clientVersion = McpClient.class.getModule().getDescriptor() != null
                && McpClient.class.getModule().getDescriptor().rawVersion().isPresent()
                ? McpClient.class.getModule().getDescriptor().rawVersion().get() : "dev";
        private Runnable onToolsChanged;
        private int maxPages = 100;
        private int maxMessageSize = 16 * 1024 * 1024;

        private Builder(List<String> command, URI endpoint) {
            this.command = command;
            this.endpoint = endpoint;
        }

        /**
         * Sets how long to wait for the answer to each request, the handshake included; a call
         * may give its own. Default 60 seconds.
         *
         * @param timeout the time to wait, positive
         * @return this builder
         * @throws IllegalArgumentException if it is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout: expected a positive duration, got " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets the name and version the client gives the server. Default {@code parley} and
         * Parley's version.
         *
         * @param name the client's name
         * @param version the client's version
         * @return this builder
         */
        public Builder clientInfo(String name, String version) {
            this.clientName = Objects.requireNonNull(name, "name");
            this.clientVersion = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * Sets what to run when the server says its tools changed. It runs on a thread of its
         * own, and may call {@link McpClient#listTools()} for the new list. Default: nothing,
         * beyond forgetting the cached list.
         *
         * @param listener what to run
         * @return this builder
         */
        public Builder onToolsChanged(Runnable listener) {
            this.onToolsChanged = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets how many pages of tools {@link McpClient#listTools()} reads before it decides the
         * server pages without end. Default 100.
         *
         * @param pages the most pages, at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxPages(int pages) {
            if (pages < 1) {
                throw new IllegalArgumentException("maxPages: expected at least 1, got " + pages);
            }
            this.maxPages = pages;
            return this;
        }

        /**
         * Sets the largest message accepted from the server, in bytes; a larger one ends the
         * connection with an error. Default 16 MiB.
         *
         * @param bytes the most bytes, at least 1024
         * @return this builder
         * @throws IllegalArgumentException if less than 1024
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageSize: expected at least 1024 bytes, got " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * Adds an environment variable for the server process (stdio only); it inherits the
         * others from this process.
         *
         * @param name the variable's name
         * @param value its value
         * @return this builder
         * @throws IllegalStateException if this builder is for HTTP
         */
        public Builder environment(String name, String value) {
            requireStdio("environment");
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets the working directory of the server process (stdio only). Default: this
         * process's.
         *
         * @param directory the directory
         * @return this builder
         * @throws IllegalStateException if this builder is for HTTP
         */
        public Builder directory(Path directory) {
            requireStdio("directory");
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Adds a header to every HTTP request (HTTP only), such as {@code Authorization}. Header
         * values never appear in messages or {@code toString()}.
         *
         * @param name the header's name
         * @param value its value
         * @return this builder
         * @throws IllegalStateException if this builder is for stdio
         * @throws IllegalArgumentException if the name is one the client sets itself
         */
        public Builder header(String name, String value) {
            if (endpoint == null) {
                throw new IllegalStateException("header: only an HTTP client sends headers");
            }
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (HttpConnection.OWN_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("header: the client sets " + name + " itself");
            }
            headers.put(name, value);
            return this;
        }

        private void requireStdio(String what) {
            if (command == null) {
                throw new IllegalStateException(what + ": only a stdio client starts a process");
            }
        }

        /**
         * Connects: starts the server or reaches it, and performs the handshake.
         *
         * @return the client, ready for calls
         * @throws LlmException if the server cannot be started or reached, fails the handshake, or
         *     speaks a protocol revision this client does not
         */
        public McpClient connect() {
            McpClient client = new McpClient(this);
            try {
                client.initialize(clientName, clientVersion);
                return client;
            } catch (RuntimeException | Error e) {
                client.close();
                throw e;
            }
        }

        /** {@return the transport and target, never a header's value} */
        @Override
        public String toString() {
            return "McpClient.Builder[" + (command != null ? "stdio " + command.get(0) : "http " + HttpConnection.redacted(endpoint)) + "]";
        }
    }
}
