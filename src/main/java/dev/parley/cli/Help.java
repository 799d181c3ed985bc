package dev.parley.cli;

/** The help texts of the {@code parley} command. */
final class Help {

    private Help() {
    }

    static final String EXIT_CODES = """
            Exit codes:
              0  success
              1  unexpected failure
              2  usage error (a wrong command line)
              3  configuration error (a missing API key, a malformed setting)
              4  authentication or permission refused by the provider
              5  rate limited, or quota or budget used up
              6  timed out
              7  provider or network error
              8  the provider rejected the request (a bad parameter, an unknown model)
            """;

    static final String PROVIDER_OPTIONS = """
              --provider NAME      openai, deepseek, anthropic, gemini, ollama,
                                   openai-compatible, azure-openai or bedrock
                                   (default: $LLM_PROVIDER, else openai)
              --model NAME         the model (default: $LLM_MODEL, or the provider's default)
              --base-url URL       the provider's base URL (default: DEEPSEEK_BASE_URL,
                                   OPENAI_BASE_URL, ... as the README's table says, else
                                   the provider's official endpoint)
              --api-key-env NAME   read the API key from the environment variable NAME
                                   (default: DEEPSEEK_API_KEY, then OPENAI_API_KEY, for
                                   deepseek; ANTHROPIC_API_KEY for anthropic;
                                   GEMINI_API_KEY, then GOOGLE_API_KEY, for gemini; ...)
              -v, --verbose        print stack traces with errors
            """;

    static final String MAIN = """
            parley - talk to large language models from the command line

            Usage: parley COMMAND [OPTIONS] [ARGS]

            Commands:
              chat PROMPT...   send a prompt and print the answer as it streams in
              embed TEXT...    print one JSON line with the embedding vector of each text
              models           list the provider's models
              serve            run an OpenAI-compatible gateway in front of your providers
              keys hash        print the hash of a gateway key read from standard input
              demo             show Parley's features against a built-in fake provider
                               (needs no API key and no network)
              help COMMAND     show the options of a command

            Options:
              --help           show this help
              --version        show the version

            Settings come from environment variables (LLM_PROVIDER, OPENAI_API_KEY,
            ANTHROPIC_API_KEY, DEEPSEEK_API_KEY, OLLAMA_HOST, ...; see the README);
            command-line options override them.

            """ + EXIT_CODES;

    static final String CHAT = """
            Usage: parley chat [OPTIONS] PROMPT...
                   echo PROMPT | parley chat [OPTIONS] -

            Sends PROMPT (the words joined by spaces, or standard input with -) and prints
            the answer as it arrives.

            Options:
            """ + PROVIDER_OPTIONS + """
              --system TEXT        a system message sent before the prompt
              --temperature T      sampling temperature, 0 to 2
              --max-tokens N       the most tokens to generate
              --no-stream          wait for the whole answer, then print it
              --json               print the final response as one JSON object: text,
                                   reasoning, toolCalls (id, name, arguments), finishReason,
                                   usage (inputTokens, outputTokens, totalTokens), cost (USD),
                                   model, provider, requestId. The request still streams
                                   (add --no-stream for one that does not), but the text is
                                   not echoed as it arrives, so stdout stays one JSON document

            """ + EXIT_CODES;

    static final String EMBED = """
            Usage: parley embed [OPTIONS] TEXT...
                   echo TEXT | parley embed [OPTIONS] -

            Embeds each TEXT and prints one JSON line per vector:
            {"index":0,"model":"...","dimensions":1536,"embedding":[...]}

            Options:
            """ + PROVIDER_OPTIONS + "\n" + EXIT_CODES;

    static final String MODELS = """
            Usage: parley models [OPTIONS]

            Lists the provider's models, one per line.

            Options:
            """ + PROVIDER_OPTIONS + """
              --json               print each model's entry as JSON, as the provider sent it

            """ + EXIT_CODES;

    static final String SERVE = """
            Usage: parley serve [--host H] [--port P] [--config FILE]

            Runs an OpenAI-compatible gateway (POST /v1/chat/completions, POST /v1/responses,
            POST /v1/embeddings, GET /v1/models, GET /health, GET /health/ready, GET /metrics)
            in front of your providers, until stopped with Ctrl-C (SIGTERM), when running
            streams get a grace period to finish.

            With an admin key (PARLEY_GATEWAY_ADMIN_KEY), GET /metrics and the admin API
            (GET /admin/summary, /admin/keys, /admin/requests, /admin/upstreams) need
            Authorization: Bearer ADMIN_KEY, and a dashboard is served at /dashboard (open it
            and type the key, or add #key=ADMIN_KEY to its address). Without one, /metrics is
            open to anyone who can reach the gateway and /admin and /dashboard are off.

            Routing by the request's model: a route's name ("smart") goes to that route with
            its model; "route/model" ("anthropic/claude-sonnet-4-5") to that route with that
            model; any other model to the default route. Without routes in the --config file,
            the routes come from the environment: the default route is LLM_PROVIDER's, each
            provider whose key is set gets a route of its name (Ollama when OLLAMA_HOST is
            set), and PARLEY_GATEWAY_ALIASES ("fast=openai/gpt-4o-mini") adds more.

            Options:
              --host H             the address to listen on (default: $PARLEY_GATEWAY_HOST,
                                   else 127.0.0.1; 0.0.0.0 listens on every interface)
              --port P             the port (default: $PARLEY_GATEWAY_PORT, else 8080)
              --config FILE        the gateway's JSON configuration file (default:
                                   $PARLEY_GATEWAY_CONFIG), checked at start (every problem
                                   named with its line and field), reloaded on SIGHUP and
                                   when it changes. A file with problems is refused whole
                                   and what is in use stays. See the README, "Virtual keys"
                                   and "Routes in the file". Its fields:
                "keys"             required: [{"name", "hash" (parley keys hash), "owner",
                                   "team", "models": ["gpt-4o-mini", "anthropic/*"],
                                   "limits": {"rpm", "tpm", "concurrency"},
                                   "budget": {"daily", "monthly", "total"} (USD)}]
                "aliases"          {"fast": "cheap/gpt-4o-mini"}: names clients may send
                "routes"           {"NAME": {"provider", "model", "base_url",
                                   "api_key_env": "VARIABLE" or "api_key_file": "/path",
                                   "timeout", "retries", "limits": {"rpm", "tpm",
                                   "concurrency"}, "cache": true or {"ttl", "max_entries",
                                   "dir"}, "circuit_breaker": {"failures": 5, "cool_down":
                                   "30s", "probes": 1}, "fallback": ["other-route"],
                                   "settings": {"OPENAI_API": "responses"}, ...}}; they
                                   replace the environment's routes. Never a key in the
                                   file: a field that looks like one is refused. A reload
                                   makes the new routes' clients; running requests finish
                                   on the old.
                "default_route"    the route for models no route name takes (none: 404)
                "log"              {"prompts": true, "max_chars": 4096}: prompts and
                                   answers in the access log (off by default)

            Environment:
              PARLEY_GATEWAY_KEYS     comma-separated keys clients must send as
                                      Authorization: Bearer KEY (default: none required;
                                      not with --config, whose file holds the keys)
              PARLEY_GATEWAY_ADMIN_KEY   the admin key: 16 characters or more, no spaces; never
                                      a client key (PARLEY_GATEWAY_ADMIN_KEY_FILE: the path of
                                      a file holding it)
              PARLEY_GATEWAY_ACCESS_LOG  a file to append one JSON line per request to
                                      (- for standard output; default: the logger
                                      dev.parley.gateway.access at INFO)
              PARLEY_GATEWAY_LOG_PROMPTS  true: each access-log line also holds the
                                      request's prompt and the answer's text, each cut to
                                      4096 characters (default false; the file's "log"
                                      wins)
              PARLEY_GATEWAY_ALIASES  alias=provider/model entries, comma-separated (not
                                      with routes in the --config file)
              PARLEY_GATEWAY_MAX_CONNECTIONS              open connections at most (512)
              PARLEY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS  per client address (64)
              PARLEY_GATEWAY_HEADER_TIMEOUT  time to send a request's headers (10s)
              PARLEY_GATEWAY_BODY_TIMEOUT    time to send a request's body (30s)
              PARLEY_GATEWAY_IDLE_TIMEOUT    idle keep-alive, or a stalled write (30s)
              PARLEY_GATEWAY_READY_TIMEOUT   bound of GET /health/ready (3s)

            Several instances, one Redis (so that they behave as one gateway):
              PARLEY_REDIS_URL        redis://[user[:password]@]host[:port][/db], or rediss://
                                      for TLS (PARLEY_REDIS_URL_FILE: a file holding it). Keys'
                                      limits, budgets and spend are shared; with ENABLE_CACHE,
                                      the response cache too (CACHE_TTL applies; CACHE_DIR and
                                      CACHE_MAX_ENTRIES do not); routes' circuit breakers
                                      (LLM_CIRCUIT_BREAKER_FAILURES, the file's
                                      "circuit_breaker") too, each under its route's name
              PARLEY_REDIS_INSTANCES  how many instances share it (1): while Redis is down,
                                      each enforces every limit divided by this
              PARLEY_REDIS_BUDGET_WHEN_DOWN  refuse (503, the default) or allow (untracked,
                                      written when Redis is back) calls with a budget while
                                      Redis is down
            GET /health/ready shows Redis as "shared" and "degraded" without turning unready.

            """ + EXIT_CODES;

    static final String KEYS = """
            Usage: parley keys hash < key.txt

            Reads a gateway key from the first line of standard input (so that it stays out of
            your shell's history; typing it and pressing Enter works too) and prints the value
            for its "hash" field in the file of parley serve --config: sha256: and 64 hex
            digits. The file never holds the key itself.

            """ + EXIT_CODES;

    static final String DEMO = """
            Usage: parley demo

            Starts Parley's fake provider server on 127.0.0.1 and shows, over real HTTP, with
            no API key and no network: a chat, a streamed answer, a cache hit, a retry after
            an injected HTTP 429, a fallback to a second provider, and the cost summary.
            The fake server needs the JDK's HTTP server (the module jdk.httpserver): a full
            JDK has it; a jlink image needs it linked in (exit code 3 if it is missing).

            """ + EXIT_CODES;

    static String of(String command) {
        return switch (command) {
            case "chat" -> CHAT;
            case "embed" -> EMBED;
            case "models" -> MODELS;
            case "serve" -> SERVE;
            case "keys" -> KEYS;
            case "demo" -> DEMO;
            default -> throw new UsageException("unknown command \"" + command + "\"; run parley --help");
        };
    }
}
