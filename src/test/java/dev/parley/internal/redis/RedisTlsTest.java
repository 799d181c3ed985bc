package dev.parley.internal.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against a real redis-server with TLS, its certificate self-signed by the
 * JDK's keytool for 127.0.0.1: the client trusts it through its own SSLContext, and refuses it
 * with the JDK's default trust.
 */
class RedisTlsTest {

    @TempDir
    Path dir;

    @Test
    void rediss_withATrustedCertificate_works_andAnUntrustedOneIsRefused() throws Exception {
        Path keystore = dir.resolve("redis.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        assumeTrue(Files.isExecutable(keytool), "the JDK has no keytool; the TLS test is skipped");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "redis", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("redis", "changeit".toCharArray());
        Certificate cert = ks.getCertificate("redis");
        Path keyPem = dir.resolve("key.pem");
        Path certPem = dir.resolve("cert.pem");
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));

        RedisServer server;
        try {
            server = RedisServer.start("--tls-port", "0", "--tls-cert-file", certPem.toString(),
                    "--tls-key-file", keyPem.toString(), "--tls-ca-cert-file", certPem.toString(),
                    "--tls-auth-clients", "no");
        } catch (IOException e) {
            assumeTrue(false, "this redis-server cannot serve TLS; the TLS test is skipped: " + e.getMessage());
            return;
        }
        try (server) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("redis", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder()
                    .url("rediss://127.0.0.1:" + server.port()).sslContext(context).build())) {
                assertEquals("OK", c.call("SET", "k", "over tls"));
                assertEquals("over tls", new String((byte[]) c.call("GET", "k")));
            }
            try (RedisClient c = new RedisClient(RedisSettings.newBuilder()
                    .url("rediss://127.0.0.1:" + server.port()).build())) {
                RedisException e = assertThrows(RedisException.class, () -> c.call("PING"));
                assertTrue(e.unavailable());
                assertTrue(e.getMessage().startsWith("cannot connect to Redis at 127.0.0.1:" + server.port()), e.getMessage());
            }
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
