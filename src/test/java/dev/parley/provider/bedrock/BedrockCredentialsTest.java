package dev.parley.provider.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.parley.ConfigurationException;
import dev.parley.spi.ProviderConfig;
import dev.parley.spi.ProviderEnvironment;

/** Credentials and region from the environment and the shared files, with the SDKs' precedence. */
class BedrockCredentialsTest {

    @TempDir
    Path dir;

    private Map<String, String> files(String credentials, String config) throws IOException {
        Map<String, String> env = new HashMap<>();
        Path c = dir.resolve("credentials");
        Path f = dir.resolve("config");
        if (credentials != null) {
            Files.writeString(c, credentials);
        }
        if (config != null) {
            Files.writeString(f, config);
        }
        env.put("AWS_SHARED_CREDENTIALS_FILE", c.toString());
        env.put("AWS_CONFIG_FILE", f.toString());
        return env;
    }

    private static ProviderConfig configure(Map<String, String> env) {
        ProviderConfig.Builder b = ProviderConfig.newBuilder();
        new BedrockProviderFactory().configure(ProviderEnvironment.of(env), b);
        return b.build();
    }

    @Test
    void environment_winsOverTheFiles() throws IOException {
        Map<String, String> env = files("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = filesecret\n",
                "[default]\nregion = eu-west-1\n");
        env.put("AWS_ACCESS_KEY_ID", "AKIAENV");
        env.put("AWS_SECRET_ACCESS_KEY", "envsecret-envsecret");
        env.put("AWS_SESSION_TOKEN", "envtoken-envtoken");
        ProviderConfig c = configure(env);
        assertEquals("AKIAENV", c.options().get("accessKeyId"));
        assertEquals("envsecret-envsecret", c.apiKey().value());
        assertEquals("envtoken-envtoken", c.headers().get("x-amz-security-token"));
        assertEquals("eu-west-1", c.options().get("region"), "the region still comes from the profile");
        assertFalse(c.toString().contains("envsecret-envsecret"), c.toString());
        assertFalse(c.toString().contains("envtoken-envtoken"), c.toString());
        env.put("AWS_REGION", "us-west-2");
        env.put("AWS_DEFAULT_REGION", "ap-south-1");
        assertEquals("us-west-2", configure(env).options().get("region"));
        env.remove("AWS_REGION");
        assertEquals("ap-south-1", configure(env).options().get("region"));
    }

    @Test
    void namedProfile_comesFromBothFiles_theCredentialsFileWinning() throws IOException {
        Map<String, String> env = files("""
                # comment
                [default]
                aws_access_key_id = AKIADEFAULT
                aws_secret_access_key = defaultsecret

                [work]
                aws_access_key_id = AKIAWORK
                aws_secret_access_key = worksecret-worksecret
                aws_session_token = worktoken-worktoken
                """, """
                [default]
                region = us-east-1
                [profile work]
                region = eu-central-1
                aws_access_key_id = AKIAIGNORED
                s3 =
                  max_concurrent_requests = 20
                [sso-session corp]
                sso_region = us-east-1
                """);
        env.put("AWS_PROFILE", "work");
        ProviderConfig c = configure(env);
        assertEquals("AKIAWORK", c.options().get("accessKeyId"));
        assertEquals("worksecret-worksecret", c.apiKey().value());
        assertEquals("worktoken-worktoken", c.headers().get("x-amz-security-token"));
        assertEquals("eu-central-1", c.options().get("region"));
        env.remove("AWS_PROFILE");
        ProviderConfig d = configure(env);
        assertEquals("AKIADEFAULT", d.options().get("accessKeyId"));
        assertEquals("us-east-1", d.options().get("region"));
        assertNull(d.headers().get("x-amz-security-token"));
    }

    @Test
    void unsupportedWaysOfGettingCredentials_areNamed() throws IOException {
        String[][] cases = {
                {"sso_session = corp", "IAM Identity Center (SSO)"},
                {"sso_start_url = https://corp.awsapps.com/start", "IAM Identity Center (SSO)"},
                {"credential_process = /usr/bin/get-creds", "credential_process"},
                {"role_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default", "role_arn"},
                {"web_identity_token_file = /var/run/token", "web identity"},
        };
        for (String[] c : cases) {
            Map<String, String> env = files(null, "[profile p]\nregion = us-east-1\n" + c[0] + "\n");
            env.put("AWS_PROFILE", "p");
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> configure(env));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(e.getMessage().contains("aws configure export-credentials --profile p"), e.getMessage());
        }
    }

    @Test
    void nothingFound_saysWhatToSet_andWhatIsNotSupported() throws IOException {
        Map<String, String> env = files(null, null);
        env.put("AWS_REGION", "us-east-1");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> configure(env));
        assertTrue(e.getMessage().contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("IMDS"), e.getMessage());
    }

    @Test
    void halfAPair_orNoRegion_orABadRegion_fail() throws IOException {
        Map<String, String> env = files(null, null);
        env.put("AWS_ACCESS_KEY_ID", "AKIA");
        assertTrue(assertThrows(ConfigurationException.class, () -> configure(env)).getMessage()
                .contains("AWS_SECRET_ACCESS_KEY"));
        env.put("AWS_SECRET_ACCESS_KEY", "secret-secret");
        assertTrue(assertThrows(ConfigurationException.class, () -> configure(env)).getMessage().contains("AWS_REGION"));
        env.put("AWS_REGION", "us east 1");
        assertTrue(assertThrows(ConfigurationException.class, () -> configure(env)).getMessage().contains("us-east-1"));
    }

    @Test
    void baseUrl_defaultsToTheRegionalEndpoint_orBedrockBaseUrl() throws IOException {
        Map<String, String> env = files(null, null);
        env.put("AWS_ACCESS_KEY_ID", "AKIA");
        env.put("AWS_SECRET_ACCESS_KEY", "secret-secret");
        env.put("AWS_REGION", "eu-west-3");
        BedrockProvider p = (BedrockProvider) new BedrockProviderFactory().create(configure(env));
        assertTrue(p.toString().contains("https://bedrock-runtime.eu-west-3.amazonaws.com"), p.toString());
        env.put("BEDROCK_BASE_URL", "https://vpce-1.bedrock-runtime.eu-west-3.vpce.amazonaws.com");
        assertEquals(URI.create("https://vpce-1.bedrock-runtime.eu-west-3.vpce.amazonaws.com"), configure(env).baseUrl());
        assertEquals("bedrock-runtime.eu-west-3.amazonaws.com",
                BedrockProvider.host(URI.create("https://bedrock-runtime.eu-west-3.amazonaws.com:443")));
        assertEquals("127.0.0.1:8080", BedrockProvider.host(URI.create("http://127.0.0.1:8080")));
    }

    @Test
    void defaultModels_readTheirSettings() {
        BedrockProviderFactory f = new BedrockProviderFactory();
        assertEquals("amazon.nova-lite-v1:0", f.defaultModel(ProviderEnvironment.of(Map.of())));
        assertEquals("x", f.defaultModel(ProviderEnvironment.of(Map.of("BEDROCK_MODEL", "x"))));
        assertEquals("amazon.titan-embed-text-v2:0", f.defaultEmbeddingModel(ProviderEnvironment.of(Map.of())));
        assertEquals("cohere.embed-english-v3",
                f.defaultEmbeddingModel(ProviderEnvironment.of(Map.of("BEDROCK_EMBEDDING_MODEL", "cohere.embed-english-v3"))));
    }
}
