package dev.parley.json;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Objects kept between calls for reuse (parsers, output buffers): a few slots picked by the
 * calling thread's id. A call takes the object out of its slot and gives it back when done, so
 * no two calls share one; a call that finds its slot empty makes a new object. Bounded: at most
 * one object per slot is kept.
 *
 * @param <T> what is kept
 */
final class Spares<T> {

    private final AtomicReferenceArray<T> slots = new AtomicReferenceArray<>(16);

    /** {@return the object kept in this thread's slot, now the caller's, or null} */
    T take() {
        return slots.getAndSet(slot(), null);
    }

    /** Keeps {@code t}, which the caller must not use afterwards, in this thread's slot. */
    void give(T t) {
        slots.set(slot(), t);
    }

    /** {@return the object kept in this thread's slot, left there, or null}; for tests */
    T peek() {
        return slots.get(slot());
    }

    private int slot() {
        return (int) Thread.currentThread().threadId() & (slots.length() - 1);
    }
}
