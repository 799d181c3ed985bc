package dev.parley.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.parley.Llm;
import dev.parley.testing.ScriptedProvider;

/** Swapping the route table under running requests: none ever meets a closed client, none is leaked. */
class RouterSwapTest {

    private static Llm client(String name) {
        return Llm.newBuilder().provider(ScriptedProvider.newBuilder("fake").reply(name).build()).defaultModel("m").build();
    }

    private static Router.Table owning(Llm llm) {
        return new Router.Table(Map.of("r", llm), llm, List.of(llm));
    }

    @Test
    void aRequestKeepsTheTableItEntered_andItsClientIsClosedWhenItExits() throws Exception {
        Llm first = client("first");
        Llm second = client("second");
        Router router = new Router(owning(first));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch swapped = new CountDownLatch(1);
        List<String> seen = new ArrayList<>();
        Thread request = Thread.ofVirtual().start(() -> {
            router.enter();
            try {
                entered.countDown();
                swapped.await();
                seen.add(router.resolve("r").llm().chat("hi").text());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                router.exit();
            }
        });
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        router.replace(owning(second));
        assertSame(second, router.resolve("r").llm(), "a thread outside a request sees the new table");
        assertEquals(0, router.closedClients(), "the first client is in use");
        swapped.countDown();
        request.join(10_000);

        assertEquals(List.of("first"), seen);
        assertEquals(1, router.closedClients());
        assertThrows(IllegalStateException.class, () -> first.chat("hi"));
        assertEquals("second", second.chat("hi").text());
    }

    @Test
    void aClientKeptAcrossTablesIsClosedOnlyWhenNoTableInUseHoldsIt() throws Exception {
        Llm kept = client("kept");
        Llm other = client("other");
        Router router = new Router(owning(kept));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread request = Thread.ofVirtual().start(() -> {
            router.enter();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                router.exit();
            }
        });
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        router.replace(new Router.Table(Map.of("r", kept, "o", other), kept, List.of(kept, other))); // keeps it
        router.replace(owning(other));                                                            // drops it
        assertEquals(0, router.closedClients(), "the first table, still in use, holds it");

        release.countDown();
        request.join(10_000);
        assertEquals(1, router.closedClients());
        assertThrows(IllegalStateException.class, () -> kept.chat("hi"));
        assertEquals("other", other.chat("hi").text());
    }

    @Test
    void underConcurrentRequestsAndSwaps_noRequestMeetsAClosedClient_andEveryReplacedOneIsClosed() throws Exception {
        Router router = new Router(owning(client("c0")));
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> requests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            requests.add(Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    router.enter();
                    try {
                        router.resolve("r").llm().chat("hi");
                        router.resolve("anything").llm().chat("hi");
                    } catch (Throwable t) {
                        failures.add(t);
                    } finally {
                        router.exit();
                    }
                }
            }));
        }
        int swaps = 300;
        for (int i = 1; i <= swaps; i++) {
            router.replace(owning(client("c" + i)));
            Thread.yield();
        }
        stop.set(true);
        for (Thread t : requests) {
            t.join(10_000);
        }

        assertTrue(failures.isEmpty(), () -> "a request met a closed client: " + failures.peek());
        assertEquals(swaps, router.closedClients(), "every replaced client closed once its requests ended, the current one open");
        router.closeAll();
        assertEquals(swaps + 1, router.closedClients());
    }
}
