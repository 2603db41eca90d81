package dev.customs.e2e;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The control plane's throw-away PKI, written as PEM files: one CA, serving certificates for etcd and the API server,
 * client certificates (the API server's to etcd, an administrator in {@code system:masters}), and the service-account
 * signing key pair. Valid for two days; a run makes new ones.
 */
final class Pki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key and its certificate, and where they were written. */
    record Pair(KeyPair keys, X509Certificate certificate, Path cert, Path key) {
    }

    private final Path dir;
    private final Pair ca;

    private Pki(Path dir, Pair ca) {
        this.dir = dir;
        this.ca = ca;
    }

    static Pki create(Path dir) throws IOException {
        Files.createDirectories(dir);
        KeyPair keys = rsa();
        X500Name name = name("customs-e2e-ca", null);
        X509Certificate cert = sign(name, keys, name, keys.getPrivate(), true, List.of(), List.of(), List.of());
        return new Pki(dir, write(dir, "ca", keys, cert));
    }

    Path caCert() {
        return ca.cert();
    }

    /** A serving certificate (also good as a client, as etcd peers use it) for the given DNS names and IPs. */
    Pair server(String file, String cn, List<String> dnsNames, List<String> ips) throws IOException {
        KeyPair keys = rsa();
        X509Certificate cert = sign(name(cn, null), keys, issuer(), ca.keys().getPrivate(), false, dnsNames, ips,
                List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth));
        return write(dir, file, keys, cert);
    }

    /** A client certificate: Kubernetes reads the user from CN and the groups from O. */
    Pair client(String file, String user, String group) throws IOException {
        KeyPair keys = rsa();
        X509Certificate cert = sign(name(user, group), keys, issuer(), ca.keys().getPrivate(), false, List.of(),
                List.of(), List.of(KeyPurposeId.id_kp_clientAuth));
        return write(dir, file, keys, cert);
    }

    /** The service-account token signing key pair: {@code <file>.key} (private) and {@code <file>.pub}. */
    Path[] signingKey(String file) throws IOException {
        KeyPair keys = rsa();
        Path key = dir.resolve(file + ".key");
        Path pub = dir.resolve(file + ".pub");
        Files.writeString(key, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
        Files.writeString(pub, pem(keys.getPublic()));
        return new Path[] { key, pub };
    }

    private X500Name issuer() {
        return new X500Name(ca.certificate().getSubjectX500Principal().getName());
    }

    private static X500Name name(String cn, String organisation) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        if (organisation != null) {
            b.addRDN(BCStyle.O, organisation);
        }
        b.addRDN(BCStyle.CN, cn);
        return b.build();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair keys, X500Name issuer, PrivateKey issuerKey,
            boolean isCa, List<String> dnsNames, List<String> ips, List<KeyPurposeId> usages) {
        try {
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(2))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa
                    ? KeyUsage.keyCertSign | KeyUsage.digitalSignature | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (!usages.isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(usages.toArray(KeyPurposeId[]::new)));
            }
            List<GeneralName> sans = new ArrayList<>();
            dnsNames.forEach(d -> sans.add(new GeneralName(GeneralName.dNSName, d)));
            for (String ip : ips) {
                sans.add(new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress()));
            }
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    private static Pair write(Path dir, String file, KeyPair keys, X509Certificate cert) throws IOException {
        Path c = dir.resolve(file + ".crt");
        Path k = dir.resolve(file + ".key");
        Files.writeString(c, pem(cert));
        Files.writeString(k, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
        return new Pair(keys, cert, c, k);
    }

    private static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
