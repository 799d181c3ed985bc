package probe;

import dev.parley.testing.FakeLlmServer;

/**
 * Run by {@code JlinkImageTest} on the class path of a jlink image without {@code jdk.httpserver},
 * as a user's test would use {@link FakeLlmServer}: prints what making one says. In a package of
 * its own, since the image's {@code dev.parley} module owns Parley's packages.
 */
public final class FakeServerProbe {

    private FakeServerProbe() {
    }

    /** Makes and starts a fake server; prints its URL, or the message of the refusal. @param args none */
    public static void main(String[] args) {
        try (FakeLlmServer server = FakeLlmServer.newBuilder().build().start()) {
            System.out.println("started on " + server.uri());
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
