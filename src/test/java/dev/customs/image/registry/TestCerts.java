package dev.customs.image.registry;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Throw-away RSA keys and X.509 certificates for the test registry's TLS and its token signer. */
public final class TestCerts {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    record Issued(KeyPair keys, X509Certificate certificate) {
        String certificatePem() {
            return pem(certificate);
        }

        String privateKeyPem() {
            return pem(keys.getPrivate());
        }
    }

    private TestCerts() {
    }

    /** A self-signed CA (also usable as a token signing certificate). */
    static Issued selfSigned(String cn) {
        return issue(cn, null, true, List.of());
    }

    /** A server certificate for the given IP addresses, signed by {@code ca}. */
    static Issued server(Issued ca, String cn, List<String> ips) {
        return issue(cn, ca, false, ips);
    }

    private static Issued issue(String cn, Issued ca, boolean isCa, List<String> ips) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair keys = g.generateKeyPair();
            X500Name subject = new X500Name("CN=" + cn);
            X500Name issuer = ca == null ? subject : new X500Name(ca.certificate.getSubjectX500Principal().getName());
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa
                    ? KeyUsage.keyCertSign | KeyUsage.digitalSignature | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (!ips.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                        ips.stream().map(ip -> new GeneralName(GeneralName.iPAddress, ip)).toArray(GeneralName[]::new)));
            }
            var signer = new JcaContentSignerBuilder("SHA256withRSA")
                    .build(ca == null ? keys.getPrivate() : ca.keys.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(signer));
            return new Issued(keys, cert);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a test certificate", e);
        }
    }

    /**
     * A CA and a server certificate for 127.0.0.1 signed by it, for a Customs started with HTTPS: writes
     * {@code ca.crt}, {@code tls.crt} and {@code tls.key} into {@code dir} and returns the CA certificate.
     */
    public static X509Certificate writeServerFiles(Path dir) throws IOException {
        Issued ca = selfSigned("customs-test-ca");
        Issued server = server(ca, "127.0.0.1", List.of("127.0.0.1"));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
        Files.writeString(dir.resolve("tls.crt"), server.certificatePem());
        Files.writeString(dir.resolve("tls.key"), server.privateKeyPem());
        return ca.certificate();
    }

    /** A TLS context that trusts certificates issued by {@code ca} (the one {@link #writeServerFiles} returns). */
    public static SSLContext trusting(X509Certificate ca) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a TLS context trusting " + ca.getSubjectX500Principal(), e);
        }
    }

    static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
