/**
 * Parley: call large language models from Java with nothing but the JDK.
 */
module dev.parley {
    requires java.net.http;

    exports dev.parley.json;
}
