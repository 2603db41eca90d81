package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;

/**
 * Customs serves admission over HTTPS with a PEM certificate and key from files, as the Helm chart mounts them, and
 * picks up a replaced certificate without a restart (cert-manager renewals, {@code helm upgrade}).
 */
@QuarkusTest
@TestProfile(AdmissionHttpsIT.MountedCertificate.class)
class AdmissionHttpsIT {

    static final Path DIR = Path.of("target", "https-it").toAbsolutePath();
    static final Path CRT = DIR.resolve("tls.crt");
    static final Path KEY = DIR.resolve("tls.key");

    /** The chart's TLS settings, with a generated certificate. */
    public static class MountedCertificate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            X509Certificate first = generate("first");
            install(first);
            return Map.of("quarkus.http.tls-configuration-name", "webhook",
                    "quarkus.tls.webhook.key-store.pem.0.cert", CRT.toString(),
                    "quarkus.tls.webhook.key-store.pem.0.key", KEY.toString(), "quarkus.http.insecure-requests",
                    "disabled");
        }
    }

    @TestHTTPResource(value = "/validate", tls = true)
    URL validate;

    @Inject
    ServingCertificateReloader reloader;

    @Inject
    @Any
    Instance<HttpServerOptionsCustomizer> customizers;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void theHttpsServersTlsBuffersArePooled() {
        // Quarkus applies every HttpServerOptionsCustomizer bean to its HTTPS server's options
        assertThat(customizers.stream()).anyMatch(PooledTlsBuffers.class::isInstance);
    }

    @Test
    void healthStaysOnPlainHttpForTheKubeletProbes() throws Exception {
        assertThat(ready.getProtocol()).as(ready.toString()).isEqualTo("http");
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(ready.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(ready.toString()).isEqualTo(200);
    }

    /**
     * The reloader runs every minute; the test calls the same check the timer calls instead of waiting for it.
     */
    @Test
    void servesTheMountedCertificateAndReloadsItOnlyWhenReplaced() throws Exception {
        X509Certificate served = post(validate);
        assertThat(served.getSubjectX500Principal().getName()).contains("OU=first");
        assertThat(reloader.reloadIfChanged()).as("nothing changed, nothing to reload").isFalse();

        X509Certificate second = generate("second");
        install(second);
        assertThat(post(validate)).as("still the first until the check").isEqualTo(served);

        assertThat(reloader.reloadIfChanged()).isTrue();
        assertThat(post(validate)).as("the certificate served after the files were replaced").isEqualTo(second);
        assertThat(reloader.reloadIfChanged()).as("the same files are not reloaded twice").isFalse();
        assertThat(post(validate)).isEqualTo(second);
    }

    /** Posts an admission review over a fresh TLS connection and returns the certificate the server presented. */
    private static X509Certificate post(URL url) throws Exception {
        byte[] body;
        try (InputStream in = Files.newInputStream(Path.of("examples", "allowed-deployment.json"))) {
            body = in.readAllBytes();
        }
        // a new client and SSL context per call: no pooled connection or resumed session hides a reload
        HttpClient client = HttpClient.newBuilder().sslContext(trustingGeneratedCertificates()).build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(url.toString().replace("127.0.0.1", "localhost")))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"uid\":\"b8a5e3d2-2c1f-4d8e-9a4b-6f0e3c2d1a90\"");
        return (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
    }

    /** Trusts every certificate this test generated, and nothing else. */
    private static SSLContext trustingGeneratedCertificates() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var files = Files.list(DIR)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".p12")).toList()) {
                KeyStore ks = load(p);
                trust.setCertificateEntry(p.getFileName().toString(), ks.getCertificate("customs"));
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /**
     * A self-signed certificate for localhost made by the JDK's keytool, so the test needs no certificate library;
     * the key pair stays in {@code <name>.p12}.
     */
    static X509Certificate generate(String name) {
        try {
            Files.createDirectories(DIR);
            Path store = DIR.resolve(name + ".p12");
            Files.deleteIfExists(store);
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "customs", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost, OU=" + name, "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype",
                    "PKCS12", "-keystore", store.toString(), "-storepass", "changeit").redirectErrorStream(true)
                    .start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (keytool.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            return (X509Certificate) load(store).getCertificate("customs");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the certificate and its key as PEM, each replaced in one rename, as the kubelet swaps a Secret volume. */
    static void install(X509Certificate cert) {
        try {
            String name = cert.getSubjectX500Principal().getName().replaceAll(".*OU=([a-z]+).*", "$1");
            KeyStore ks = load(DIR.resolve(name + ".p12"));
            PrivateKey key = (PrivateKey) ks.getKey("customs", "changeit".toCharArray());
            writeAtomically(KEY, pem("PRIVATE KEY", key.getEncoded()));
            writeAtomically(CRT, pem("CERTIFICATE", ((Certificate) cert).getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void writeAtomically(Path target, String content) throws IOException {
        Path tmp = Files.createTempFile(DIR, target.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
