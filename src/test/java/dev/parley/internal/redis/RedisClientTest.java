package dev.parley.internal.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The RESP client against a real redis-server on 127.0.0.1. */
class RedisClientTest {

    private static RedisServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = RedisServer.start();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private static RedisClient client() {
        return new RedisClient(server.settings().build());
    }

    @Test
    void replies_ofEveryType() {
        try (RedisClient c = client()) {
            assertEquals("PONG", c.call("PING"));
            assertEquals("OK", c.call("SET", "t:bin", new byte[] {0, (byte) 0xff, '\r', '\n'}));
            assertArrayEquals(new byte[] {0, (byte) 0xff, '\r', '\n'}, (byte[]) c.call("GET", "t:bin"));
            assertNull(c.call("GET", "t:missing"));
            assertEquals(3L, c.call("RPUSH", "t:list", "a", "b", "é"));
            List<?> list = (List<?>) c.call("LRANGE", "t:list", 0, -1);
            assertEquals(List.of("a", "b", "é"), list.stream().map(b -> new String((byte[]) b, UTF_8)).toList());
            List<?> nested = (List<?>) c.call("EVAL", "return {1, {'x', {2}}, false}", 0);
            assertEquals(1L, nested.get(0));
            assertEquals(2L, ((List<?>) ((List<?>) nested.get(1)).get(1)).get(0));
            assertNull(nested.get(2));
            RedisException e = assertThrows(RedisException.class, () -> c.call("INCR", "t:list"));
            assertEquals(RedisException.Kind.REPLY, e.kind());
            assertTrue(e.getMessage().startsWith("WRONGTYPE"), e.getMessage());
            assertEquals("PONG", c.call("PING"), "an error reply leaves the connection usable");
        }
    }

    @Test
    void pipeline_repliesInOrder_errorsInPlace() {
        try (RedisClient c = client()) {
            List<Object[]> commands = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                commands.add(new Object[] {"INCR", "t:pipe"});
            }
            commands.add(new Object[] {"HGET", "t:pipe", "x"});
            commands.add(new Object[] {"GET", "t:pipe"});
            c.call("DEL", "t:pipe");
            List<Object> replies = c.pipeline(commands);
            for (int i = 0; i < 500; i++) {
                assertEquals((long) i + 1, replies.get(i));
            }
            assertInstanceOf(RedisException.class, replies.get(500));
            assertEquals("500", new String((byte[]) replies.get(501), UTF_8));
        }
    }

    @Test
    void scripts_runBySha_andAreLoadedAgainAfterAFlush() {
        try (RedisClient c = client()) {
            RedisClient.Script s = RedisClient.Script.of("return tonumber(ARGV[1]) + #KEYS");
            c.call("SCRIPT", "FLUSH");
            assertEquals(8L, c.eval(s, List.of("a", "b"), List.of(6)));
            assertEquals(8L, c.eval(s, List.of("a", "b"), List.of(6)));
            c.call("SCRIPT", "FLUSH");
            assertEquals(7L, c.eval(s, List.of("a"), List.of(6)));
        }
    }

    @Test
    void manyVirtualThreads_shareASmallPool() throws Exception {
        try (RedisClient c = new RedisClient(server.settings().poolSize(4).build());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            c.call("DEL", "t:pool");
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                all.add(pool.submit(() -> c.call("INCR", "t:pool")));
            }
            for (Future<?> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals("400", new String((byte[]) c.call("GET", "t:pool"), UTF_8));
            assertTrue(c.status().connects() <= 4, "connections opened: " + c.status().connects());
        }
    }

    @Test
    void password_andAclUser() throws Exception {
        try (RedisServer secured = RedisServer.start("--requirepass", "hunter2-canary",
                "--user", "alice", "on", ">alice-canary", "~parley:*", "+@all")) {
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder()
                    .url("redis://:hunter2-canary@127.0.0.1:" + secured.port() + "/2").build())) {
                assertEquals("OK", c.call("SET", "k", "v"));
                assertTrue(new String((byte[]) c.call("CLIENT", "INFO"), UTF_8).contains(" db=2 "), "database 2 selected");
            }
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder()
                    .url("redis://alice:alice-canary@127.0.0.1:" + secured.port()).build())) {
                assertEquals("OK", c.call("SET", "parley:k", "v"));
                RedisException denied = assertThrows(RedisException.class, () -> c.call("SET", "other", "v"));
                assertTrue(denied.getMessage().startsWith("NOPERM"), denied.getMessage());
            }
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder()
                    .url("redis://alice:wrong-canary@127.0.0.1:" + secured.port()).build())) {
                RedisException e = assertThrows(RedisException.class, () -> c.call("PING"));
                assertTrue(e.unavailable(), "a client that cannot log in cannot be used: Redis counts as down");
                assertTrue(e.getMessage().startsWith("Redis at 127.0.0.1:" + secured.port() + " refused the connection: WRONGPASS"),
                        e.getMessage());
                assertFalse(e.getMessage().contains("canary"), e.getMessage());
                assertFalse(c.toString().contains("canary"), c.toString());
                assertFalse(c.status().up());
                assertFalse(c.status().lastError().contains("canary"), c.status().lastError());
            }
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder()
                    .url("redis://127.0.0.1:" + secured.port()).build())) {
                RedisException e = assertThrows(RedisException.class, () -> c.call("GET", "k"));
                assertTrue(e.getMessage().startsWith("NOAUTH"), e.getMessage());
            }
        }
    }

    /** Commands refused during the backoff say why Redis is down, without nesting the last message in the next. */
    @Test
    void commandsRefusedDuringTheBackoff_keepTheLastErrorShort() throws Exception {
        int nothingThere = RedisServer.freePort();
        try (RedisClient c = new RedisClient(RedisSettings.newBuilder().url("redis://127.0.0.1:" + nothingThere)
                .maxBackoff(Duration.ofSeconds(30)).build())) {
            for (int i = 0; i < 50; i++) {
                RedisException e = assertThrows(RedisException.class, () -> c.call("PING"));
                assertTrue(e.unavailable());
            }
            String last = c.status().lastError();
            assertTrue(last.startsWith("cannot connect to Redis at 127.0.0.1:" + nothingThere), last);
            assertTrue(last.length() < 200, "the last error stays the connection's failure: " + last);
            assertEquals(50, c.status().failures());
        }
    }

    @Test
    void aServerThatNeverAnswers_timesOutAtTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                RedisClient c = new RedisClient(RedisSettings.newBuilder()
                        .url("redis://127.0.0.1:" + silent.getLocalPort()).commandTimeout(Duration.ofMillis(300)).build())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                List<Socket> held = new ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept()); // accept, never answer
                    }
                } catch (IOException closed) {
                    held.forEach(s -> {
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing
                        }
                    });
                }
            });
            RedisException e = assertThrows(RedisException.class, () -> c.call("PING"));
            assertTrue(e.unavailable());
            assertEquals("no reply from Redis in time", e.getMessage());
            assertFalse(c.status().up());
            silent.close();
            acceptor.join(Duration.ofSeconds(10));
        }
    }

    /** A large value to a server that stopped reading: the blocked write ends at the deadline. */
    @Test
    void aLargeWrite_toAServerThatDoesNotRead_endsAtTheDeadline() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            silent.setReceiveBufferSize(4096);
            silent.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accept, never read
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder().url("redis://127.0.0.1:" + silent.getLocalPort())
                    .maxValueBytes(64 << 20).commandTimeout(Duration.ofMillis(500)).build())) {
                RedisException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                        () -> assertThrows(RedisException.class, () -> c.call("SET", "k", new byte[48 << 20])));
                assertTrue(e.unavailable());
                assertEquals("no reply from Redis in time", e.getMessage());
            } finally {
                silent.close();
                acceptor.join(Duration.ofSeconds(10));
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /** A server that answers with arrays nested a million deep: a clear failure, the connection dropped, no stack overflow. */
    @Test
    void aHostileServer_isAFailure_notACrash() throws Exception {
        try (ServerSocket hostile = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                RedisClient c = new RedisClient(RedisSettings.newBuilder().url("redis://127.0.0.1:" + hostile.getLocalPort())
                        .commandTimeout(Duration.ofSeconds(30)).build())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket s = hostile.accept()) {
                    s.getInputStream().read();
                    s.getOutputStream().write("*1\r\n".repeat(1_000_000).getBytes(UTF_8));
                    s.getInputStream().read(); // until the client hangs up
                } catch (IOException ignored) {
                    // the client hung up
                }
            });
            RedisException e = assertThrows(RedisException.class, () -> c.call("PING"));
            assertTrue(e.unavailable());
            assertEquals("a malformed reply from Redis (arrays nested more than 8 deep)", e.getMessage());
            server.join(Duration.ofSeconds(30));
            assertFalse(server.isAlive(), "the client closed the connection");
        }
    }

    /** A caller interrupted while it waits for a reply (a cancelled call) fails alone: Redis is not marked down. */
    @Test
    void anInterruptedCaller_doesNotMarkRedisDown() throws Exception {
        try (RedisClient c = client()) {
            c.call("DEL", "t:list:block");
            java.util.concurrent.atomic.AtomicReference<RedisException> failed = new java.util.concurrent.atomic.AtomicReference<>();
            RedisClient patient = new RedisClient(server.settings().commandTimeout(Duration.ofSeconds(60)).build());
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    patient.call("BLPOP", "t:list:block", 0); // blocks until interrupted
                } catch (RedisException e) {
                    failed.set(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!new String((byte[]) c.call("CLIENT", "LIST"), UTF_8).contains("cmd=blpop")) {
                assertTrue(System.nanoTime() < deadline, "the caller never blocked");
                Thread.sleep(20); // polling for a state that must come, with a deadline
            }
            caller.interrupt();
            caller.join(Duration.ofSeconds(20));
            assertTrue(failed.get() != null && failed.get().unavailable());
            assertTrue(patient.status().up(), "an interrupted caller does not mark Redis down");
            assertEquals(0, patient.status().failures());
            assertEquals("PONG", patient.call("PING"));
            patient.close();
        }
    }

    @Test
    void nothingListening_failsFast_thenBacksOff() throws Exception {
        int port = RedisServer.freePort();
        try (RedisClient c = new RedisClient(RedisSettings.newBuilder().url("redis://127.0.0.1:" + port)
                .maxBackoff(Duration.ofMinutes(1)).build())) {
            RedisException first = assertThrows(RedisException.class, () -> c.call("PING"));
            assertTrue(first.getMessage().startsWith("cannot connect to Redis at 127.0.0.1:" + port), first.getMessage());
            RedisException second = assertThrows(RedisException.class, () -> c.call("PING"));
            assertTrue(second.getMessage().contains("next attempt in"), second.getMessage());
            RedisClient.Status s = c.status();
            assertFalse(s.up());
            assertEquals(2, s.failures());
            assertEquals(0, s.connects());
        }
    }

    @Test
    void killedMidRun_failsWithoutHanging_andRecoversWhenRedisReturns() throws Exception {
        try (RedisServer own = RedisServer.start();
                RedisClient c = new RedisClient(own.settings().maxBackoff(Duration.ofMillis(200)).build())) {
            assertEquals("OK", c.call("SET", "k", "1"));
            own.kill();
            RedisException e = assertThrows(RedisException.class, () -> c.call("GET", "k"));
            assertTrue(e.unavailable());
            assertFalse(c.status().up());
            own.restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Object reply = null;
            while (reply == null && System.nanoTime() < deadline) {
                try {
                    reply = c.call("PING");
                } catch (RedisException down) {
                    assertTrue(down.unavailable());
                    Thread.sleep(20); // polling for a state that must come, with a deadline
                }
            }
            assertEquals("PONG", reply);
            assertTrue(c.status().up());
        }
    }

    @Test
    void closedClient_refuses_andLeavesNoThread() {
        int before = Thread.activeCount();
        RedisClient c = client();
        for (int i = 0; i < 50; i++) {
            c.call("PING");
        }
        c.close();
        RedisException e = assertThrows(RedisException.class, () -> c.call("PING"));
        assertEquals("the Redis client is closed", e.getMessage());
        assertTrue(Thread.activeCount() <= before, "threads before " + before + ", after " + Thread.activeCount());
    }
}
