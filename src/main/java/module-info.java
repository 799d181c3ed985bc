/**
 * Parley: call large language models from Java with nothing but the JDK.
 */
module dev.parley {
    requires java.net.http;
    requires jdk.httpserver;
    requires static jdk.jfr;

    exports dev.parley;
    exports dev.parley.cost;
    exports dev.parley.gateway;
    exports dev.parley.json;
    exports dev.parley.spi;
    exports dev.parley.testing;

    uses dev.parley.spi.ProviderFactory;
}
