/**
 * Parley: call large language models from Java with nothing but the JDK.
 */
module dev.parley {
    requires java.net.http;
    requires jdk.httpserver;

    exports dev.parley;
    exports dev.parley.cache;
    exports dev.parley.json;
    exports dev.parley.limit;
    exports dev.parley.spi;

    uses dev.parley.spi.ProviderFactory;
}
