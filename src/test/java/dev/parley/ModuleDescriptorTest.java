package dev.parley;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.parley.spi.ProviderFactory;

/** Keeps the module's exports honest: API packages only, internals unexported. */
class ModuleDescriptorTest {

    private static ModuleDescriptor descriptor() {
        ModuleDescriptor d = Llm.class.getModule().getDescriptor();
        assertNotNull(d, "tests run on the module path, inside dev.parley");
        return d;
    }

    @Test
    void exports_areTheApiPackagesOnly() {
        Set<String> exported = descriptor().exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("dev.parley", "dev.parley.cache", "dev.parley.cost", "dev.parley.gateway", "dev.parley.json",
                "dev.parley.limit", "dev.parley.mcp", "dev.parley.retry", "dev.parley.route", "dev.parley.schema", "dev.parley.spi",
                "dev.parley.testing", "dev.parley.timeout", "dev.parley.tools")), exported);
        assertTrue(descriptor().exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified));
    }

    @Test
    void requires_onlyJdkModules() {
        Set<String> required = descriptor().requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("java.base", "java.net.http", "jdk.httpserver", "jdk.jfr")), required);
    }

    /**
     * A user's jlink image needs only java.base and java.net.http: the HTTP server (for the fake
     * provider) and Flight Recorder are optional, checked at run time (JlinkImageTest runs it).
     */
    @Test
    void requires_theHttpServerAndFlightRecorderOnlyOptionally() {
        Set<String> optional = descriptor().requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC))
                .map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("jdk.httpserver", "jdk.jfr")), optional);
    }

    @Test
    void builtInFactories_areFoundByServiceLoader() {
        Set<String> names = ServiceLoader.load(ProviderFactory.class, Llm.class.getClassLoader()).stream()
                .map(p -> p.get().name()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(Set.of("openai", "deepseek", "openai-compatible", "azure-openai", "anthropic", "ollama", "gemini", "bedrock")), names);
    }
}
