package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The access log's queue: a stalled sink costs lines, never a request's time. */
class AccessLogTest {

    private static AccessLog.Entry entry(String id) {
        AccessLog.Entry e = new AccessLog.Entry(Instant.EPOCH, 0);
        e.requestId = id;
        e.method = "POST";
        e.path = "/v1/chat/completions";
        e.status = 200;
        return e;
    }

    @Test
    void whenTheSinkStalls_writesReturnAtOnce_andLinesOverTheQueuesCapacityAreDroppedAndCounted() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch unblock = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        AccessLog log = new AccessLog(line -> {
            entered.countDown();
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(line);
        }, () -> { }, 2).start();
        try {
            log.write(entry("req_1"));
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the writer took the first line and is stuck in the sink");

            log.write(entry("req_2"));
            log.write(entry("req_3"));
            log.write(entry("req_4")); // the queue holds two: this one is dropped

            assertEquals(1, log.dropped());
            unblock.countDown();
        } finally {
            log.close();
        }
        assertEquals(3, written.size(), written.toString());
        assertTrue(written.get(2).contains("\"request_id\":\"req_3\""), written.toString());
    }
}
