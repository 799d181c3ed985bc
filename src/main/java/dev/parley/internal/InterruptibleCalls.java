package dev.parley.internal;

/**
 * A provider whose blocking calls ({@code chat}, {@code embed}, {@code models}) end promptly,
 * with an exception, when the calling thread is interrupted: the built-in adapters, which abort
 * the HTTP exchange. A timeout may then run such a call on the caller's own thread and interrupt
 * it at the deadline, instead of handing it to another thread and waiting.
 */
public interface InterruptibleCalls {

    /** {@return whether an interrupt ends this provider's blocking calls promptly} */
    boolean callsEndOnInterrupt();
}
