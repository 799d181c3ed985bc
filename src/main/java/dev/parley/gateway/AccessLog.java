package dev.parley.gateway;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import dev.parley.json.Json;
import dev.parley.json.JsonObject;

/**
 * The gateway's access log: one JSON line per request, with its time, request id, method, path,
 * key name, route, model, status, tokens, cost, latency and time to first token; never the key,
 * and the prompt and the answer only when {@linkplain #promptChars(int) asked} (then each cut
 * to a bound, with a marker). Lines go through a bounded queue (in lines and in characters) to
 * one virtual thread that writes them, so a slow disk or console never holds up a request: when
 * the queue is full a line is dropped and counted instead. Thread-safe.
 */
final class AccessLog implements AutoCloseable {

    /** The logger lines go to when no file is given. */
    static final String LOGGER = "dev.parley.gateway.access";
    private static final int CAPACITY = 8192;
    /** The most characters queued at once (about 64 MiB), which bounds the queue's memory when lines hold prompts. */
    private static final long MAX_QUEUED_CHARS = 32L << 20;
    private static final String STOP = new String("stop");

    private final BlockingQueue<String> queue;
    private final LongAdder dropped = new LongAdder();
    private final java.util.concurrent.atomic.AtomicLong queuedChars = new java.util.concurrent.atomic.AtomicLong();
    private volatile int promptChars;
    private final Consumer<String> sink;
    private final Runnable flush;
    private final Thread writer;

    AccessLog(Consumer<String> sink, Runnable flush, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = sink;
        this.flush = flush;
        this.writer = Thread.ofVirtual().name("parley-gateway-access-log").unstarted(this::drain);
    }

    /** {@return a log writing each line at INFO to the {@value #LOGGER} logger} */
    static AccessLog toLogger() {
        System.Logger log = System.getLogger(LOGGER);
        return new AccessLog(line -> log.log(Level.INFO, line), () -> { }, CAPACITY);
    }

    /** {@return a log writing lines to {@code out}, flushed whenever the queue is empty; the caller closes {@code out}} */
    static AccessLog to(OutputStream out) {
        return new AccessLog(line -> {
            try {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, () -> {
            try {
                out.flush();
            } catch (IOException ignored) {
                // reported by the next write, if the stream stays broken
            }
        }, CAPACITY);
    }

    /** Starts the writer thread. @return this log */
    AccessLog start() {
        writer.start();
        return this;
    }

    /**
     * Sets whether lines hold the request's prompt and the answer's text: 0 for neither (the
     * default), else how many characters of each; for requests that start afterwards.
     */
    void promptChars(int chars) {
        this.promptChars = Math.max(0, chars);
    }

    /** {@return how many characters of the prompt and the answer a new request's line holds; 0 for none} */
    int promptChars() {
        return promptChars;
    }

    /** Queues one request's line, or drops and counts it when the queue is full. */
    void write(Entry e) {
        write(e.json());
    }

    /** Queues a line made by {@link Entry#json()}, or drops and counts it when the queue is full. */
    void write(JsonObject json) {
        String line = Json.write(json);
        boolean fits = queuedChars.addAndGet(line.length()) <= MAX_QUEUED_CHARS;
        if (!fits || !queue.offer(line)) {
            queuedChars.addAndGet(-line.length());
            if (dropped.sum() == 0) {
                System.getLogger("dev.parley.gateway").log(Level.WARNING,
                        "access log: writing lines fell behind; dropping lines (parley_gateway_access_log_dropped_total counts them)");
            }
            dropped.increment();
        }
    }

    /** {@return how many lines were dropped because the queue was full} */
    long dropped() {
        return dropped.sum();
    }

    private void drain() {
        boolean failed = false;
        while (true) {
            String line;
            try {
                line = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (line != null && line != STOP) {
                queuedChars.addAndGet(-line.length());
            }
            if (line == null || line == STOP) {
                flush.run();
                if (line == STOP) {
                    return;
                }
                continue;
            }
            try {
                sink.accept(line);
                failed = false;
            } catch (RuntimeException ex) {
                dropped.increment();
                if (!failed) {
                    System.getLogger("dev.parley.gateway").log(Level.WARNING,
                            "access log: a line could not be written: {0}", ex.getMessage());
                    failed = true;
                }
            }
            if (queue.isEmpty()) {
                flush.run();
            }
        }
    }

    /** Writes the lines queued so far and stops the writer, waiting up to two seconds. */
    @Override
    public void close() {
        if (!writer.isAlive()) {
            return;
        }
        try {
            queue.put(STOP);
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }

    /**
     * One request's line, filled in as the request goes: the dispatcher sets the request's
     * facts, the handlers what they learn (route, model, tokens, cost, first token). Written by
     * the request's thread only.
     */
    static final class Entry {
        final Instant time;
        final long startNanos;
        String requestId;
        String method;
        String path;
        VirtualKey key;
        String route;
        String model;
        int status;
        long inputTokens = -1;
        long outputTokens = -1;
        double cost = -1;
        long firstTokenNanos = -1;
        long endNanos;
        /** How many characters of the prompt and of the answer the line holds; 0 (the default): neither. */
        int promptChars;
        private String prompt;
        private StringBuilder answer;
        private long answerCut;

        Entry(Instant time, long startNanos) {
            this.time = time;
            this.startNanos = startNanos;
        }

        /** Notes that the first chunk of a stream arrived now. */
        void firstToken() {
            if (firstTokenNanos < 0) {
                firstTokenNanos = System.nanoTime();
            }
        }

        /** Notes the request's prompt (its messages, or input), when the line holds prompts. */
        void prompt(dev.parley.json.JsonValue value) {
            if (promptChars > 0 && value != null) {
                String text = Json.write(value);
                String kept = cut(text, promptChars);
                prompt = kept.length() == text.length() ? text : kept + marker(text.length() - kept.length());
            }
        }

        /** Adds text of the answer, when the line holds prompts; past the bound it is only counted. */
        void answer(String text) {
            if (promptChars <= 0 || text == null || text.isEmpty()) {
                return;
            }
            if (answer == null) {
                answer = new StringBuilder();
            }
            int room = promptChars - answer.length();
            if (answerCut == 0 && text.length() <= room) {
                answer.append(text);
            } else {
                String kept = room > 0 ? cut(text, room) : "";
                answer.append(kept);
                answerCut += text.length() - kept.length();
            }
        }

        /** {@return the first {@code n} characters of {@code s}, without splitting a surrogate pair} */
        private static String cut(String s, int n) {
            if (s.length() <= n) {
                return s;
            }
            int end = Character.isHighSurrogate(s.charAt(n - 1)) ? n - 1 : n;
            return s.substring(0, end);
        }

        private static String marker(long more) {
            return "...[truncated: " + more + " more characters]";
        }

        JsonObject json() {
            JsonObject.Builder b = JsonObject.newBuilder()
                    .put("time", time.toString())
                    .put("request_id", requestId)
                    .put("method", method)
                    .put("path", path)
                    .put("status", status)
                    .put("latency_ms", (endNanos - startNanos) / 1_000_000);
            if (key != null) {
                b.put("key", key.name());
                if (key.owner() != null) {
                    b.put("owner", key.owner());
                }
                if (key.team() != null) {
                    b.put("team", key.team());
                }
            }
            if (route != null) {
                b.put("route", route);
            }
            if (model != null) {
                b.put("model", model);
            }
            if (inputTokens >= 0) {
                b.put("input_tokens", inputTokens).put("output_tokens", outputTokens);
            }
            if (cost >= 0) {
                b.put("cost_usd", cost);
            }
            if (firstTokenNanos >= 0) {
                b.put("ttft_ms", (firstTokenNanos - startNanos) / 1_000_000);
            }
            if (prompt != null) {
                b.put("prompt", prompt);
            }
            if (answer != null) {
                b.put("answer", answerCut > 0 ? answer + marker(answerCut) : answer.toString());
            }
            return b.build();
        }
    }
}
