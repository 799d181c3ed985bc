package dev.parley.provider.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.parley.ConfigurationException;
import dev.parley.spi.Capability;
import dev.parley.spi.Provider;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderFactory;
import dev.parley.support.ReplayServer;
import dev.parley.support.ReplayServer.Reply;

class OllamaFactoryTest {

    /** OLLAMA_HOST values and where Ollama's client would connect for them (envconfig.Host + ConnectableHost). */
    @ParameterizedTest(name = "OLLAMA_HOST=[{0}] -> {1}")
    @CsvSource(delimiter = '|', emptyValue = "", nullValues = "NULL", textBlock = """
            NULL                              | http://127.0.0.1:11434
                                              | http://127.0.0.1:11434
            '   '                             | http://127.0.0.1:11434
            0.0.0.0                           | http://127.0.0.1:11434
            0.0.0.0:8080                      | http://127.0.0.1:8080
            :11434                            | http://127.0.0.1:11434
            :1234                             | http://127.0.0.1:1234
            1.2.3.4                           | http://1.2.3.4:11434
            1.2.3.4:1234                      | http://1.2.3.4:1234
            example.com                       | http://example.com:11434
            example.com:1234                  | http://example.com:1234
            http://example.com                | http://example.com:80
            https://example.com               | https://example.com:443
            http://example.com:1234           | http://example.com:1234
            https://example.com:8443/ollama/  | https://example.com:8443/ollama
            http://proxy:80/a/b               | http://proxy:80/a/b
            ::1                               | http://[::1]:11434
            [::1]                             | http://[::1]:11434
            [::1]:1234                        | http://[::1]:1234
            ::                                | http://[::1]:11434
            [::]:1234                         | http://[::1]:1234
            example.com:99999                 | http://example.com:11434
            example.com:abc                   | http://example.com:11434
            http://example.com:               | http://example.com:80
            '"example.com:1234"'              | http://example.com:1234
            ' ''example.com'' '               | http://example.com:11434
            ollama.com                        | https://ollama.com:443
            """)
    void ollamaHost_followsOllamasRules(String value, String expected) {
        assertEquals(URI.create(expected), OllamaHost.resolve(value));
    }

    @Test
    void ollamaHost_otherSchemes_areAConfigurationError() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> OllamaHost.resolve("tcp://host:1"));
        assertTrue(e.getMessage().contains("OLLAMA_HOST"), e.getMessage());
        assertThrows(ConfigurationException.class, () -> OllamaHost.resolve("bad host name"));
    }

    @Test
    void factory_readsOllamaHostThroughTheInjectedEnvironment() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/api/tags", Reply.fixture("ollama/tags"));
            int port = server.uri("").getPort();
            for (String value : List.of("127.0.0.1:" + port, "0.0.0.0:" + port, ":" + port, "http://localhost:" + port + "/")) {
                Map<String, String> env = Map.of("OLLAMA_HOST", value);
                Provider p = new OllamaProviderFactory(env::get).create(ProviderConfig.newBuilder().build());
                assertEquals(2, p.models().size(), value);
                assertEquals("/api/tags", server.takeRequest().path());
            }
        }
    }

    @Test
    void factory_baseUrlWinsOverTheEnvironment_andNameIsConfigurable() {
        try (ReplayServer server = ReplayServer.start()) {
            server.on("GET", "/api/tags", Reply.fixture("ollama/tags"));
            Provider p = new OllamaProviderFactory(name -> "tcp://ignored:1").create(ProviderConfig.newBuilder()
                    .name("local-llm").baseUrl(server.uri("/")).build());
            assertEquals("local-llm", p.name());
            assertEquals(2, p.models().size());
        }
    }

    @Test
    void factory_isFoundByServiceLoader_andCanDoEverything() {
        ProviderFactory factory = ServiceLoader.load(ProviderFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equalsIgnoreCase("ollama"))
                .findFirst().orElseThrow(() -> new AssertionError("no ollama factory registered"));
        Provider p = factory.create(ProviderConfig.newBuilder().baseUrl(URI.create("http://127.0.0.1:1")).build());
        assertEquals("ollama", p.name());
        assertEquals(EnumSet.allOf(Capability.class), p.capabilities());
    }

    @Test
    void factory_rejectsHeadersThatCannotBeSent() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> new OllamaProviderFactory(n -> null)
                .create(ProviderConfig.newBuilder().baseUrl(URI.create("http://127.0.0.1:1")).header("Host", "x").build()));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }
}
