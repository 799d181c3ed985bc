package dev.parley.http;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Scratch arrays lent to decoders for the length of one call, to copy the bytes of buffers that
 * expose no array. A few slots picked by the thread's id: an array is taken out of its slot and
 * put back after the call, so no two calls share one; a call that finds its slot empty makes a
 * new array. Nothing is kept per stream, which matters with a thousand streams open.
 */
final class ScratchBuffers {

    static final int SIZE = 8 * 1024;

    private static final AtomicReferenceArray<byte[]> SPARE = new AtomicReferenceArray<>(16);

    private ScratchBuffers() {
    }

    /** {@return an array of {@link #SIZE} bytes for the caller's use until it is given back} */
    static byte[] take() {
        byte[] b = SPARE.getAndSet(slot(), null);
        return b != null ? b : new byte[SIZE];
    }

    /** Gives back an array from {@link #take()}; the caller must not use it afterwards. */
    static void give(byte[] scratch) {
        SPARE.set(slot(), scratch);
    }

    private static int slot() {
        return (int) Thread.currentThread().threadId() & (SPARE.length() - 1);
    }
}
