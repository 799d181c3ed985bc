package dev.parley.gateway;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;

import dev.parley.Llm;
import dev.parley.spi.Provider;

/**
 * What the gateway tests share: a gateway started by the test on 127.0.0.1 and a free port, a
 * {@link TestHttp} client for it, and closing both after each test.
 */
abstract class GatewayTestBase {

    /** The grace most tests stop with, so a stream left open does not hold the test for the default 10 s. */
    static final Duration SHORT_GRACE = Duration.ofMillis(200);

    /** The running gateway, once a test has started one. */
    Gateway gateway;
    /** A client for {@link #gateway}. */
    TestHttp http;

    @AfterEach
    void stopGateway() {
        if (http != null) {
            http.close();
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    /** Starts {@code b} on a free port with the {@link #SHORT_GRACE}. @return the client for it */
    TestHttp start(Gateway.Builder b) {
        return startAsConfigured(b.shutdownGrace(SHORT_GRACE));
    }

    /** Starts {@code b} on a free port, with the shutdown grace it was given. @return the client for it */
    TestHttp startAsConfigured(Gateway.Builder b) {
        gateway = b.port(0).build().start();
        http = new TestHttp(gateway.uri());
        return http;
    }

    /** {@return an Llm over {@code p} with {@code model} as its default model} */
    static Llm llm(Provider p, String model) {
        return Llm.newBuilder().provider(p).defaultModel(model).build();
    }
}
