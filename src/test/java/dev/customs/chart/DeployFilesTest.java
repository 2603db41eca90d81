package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * {@code deploy/customs.yaml} and {@code deploy/customs-cert-manager.yaml} are the chart rendered for
 * {@code kubectl apply -f}; this test fails when either drifts from the chart. Regenerate both with
 *
 * <pre>
 * ./mvnw -B test -Dtest=DeployFilesTest -Dcustoms.deploy.regenerate=true
 * </pre>
 *
 * <p>
 * The default file carries a CA and serving certificate that the chart generates at random, so it cannot equal a new
 * rendering: the comparison masks the certificate material (the Secret's {@code ca.crt}, {@code tls.crt},
 * {@code tls.key} and the webhook's {@code caBundle}), and a second test checks the committed material itself: the
 * caBundle is the Secret's CA, the certificate is signed by it, names the Service and is valid for at least another
 * year. A placeholder would be deterministic, but a file that installs a webhook with {@code failurePolicy: Fail} and
 * an unusable certificate blocks every pod in the cluster; a working certificate whose key is public is the lesser
 * evil for a try-out file, and the install guide says so. Regenerating keeps the committed material while it is good for
 * another year, so a chart change does not rotate the keys. The cert-manager variant has no generated material and is
 * compared exactly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // with regenerate, the files are written before they are read
class DeployFilesTest {

    static final Path DEFAULT = Path.of("deploy", "customs.yaml");
    static final Path CERT_MANAGER = Path.of("deploy", "customs-cert-manager.yaml");

    private static final boolean REGENERATE = Boolean.getBoolean("customs.deploy.regenerate");
    private static final Pattern CERTIFICATE_MATERIAL = Pattern
            .compile("(?m)^(\\s+(?:ca\\.crt|tls\\.crt|tls\\.key|caBundle): )\\S+$");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    @Test
    @Order(1)
    void defaultManifestMatchesTheChart() throws IOException {
        String rendered = manifest("the chart's default values: the webhook's CA and serving certificate were "
                + "generated when this file\n# was rendered, and their private keys are published with it. Fine for "
                + "trying Customs; on a cluster\n# you care about, install with Helm (a new CA per install) or use "
                + "deploy/customs-cert-manager.yaml.", Map.of());
        if (REGENERATE) {
            Files.writeString(DEFAULT, keepCommittedCertificate(rendered));
        }
        assertThat(Files.exists(DEFAULT)).as(DEFAULT + " exists (see this test's Javadoc to regenerate it)").isTrue();
        assertThat(maskCertificates(Files.readString(DEFAULT))).as(DEFAULT + " is the chart's rendering; "
                + "regenerate it with ./mvnw -B test -Dtest=DeployFilesTest -Dcustoms.deploy.regenerate=true")
                .isEqualTo(maskCertificates(rendered));
    }

    @Test
    @Order(2)
    void certManagerManifestMatchesTheChart() throws IOException {
        String rendered = manifest("tls.mode=cert-manager: cert-manager (https://cert-manager.io) must be installed "
                + "first; it issues the\n# webhook's certificate and injects its CA.", Map.of("tls.mode", "cert-manager"));
        if (REGENERATE) {
            Files.writeString(CERT_MANAGER, rendered);
        }
        assertThat(Files.exists(CERT_MANAGER)).as(CERT_MANAGER + " exists").isTrue();
        assertThat(Files.readString(CERT_MANAGER)).as(CERT_MANAGER + " is the chart's rendering; "
                + "regenerate it with ./mvnw -B test -Dtest=DeployFilesTest -Dcustoms.deploy.regenerate=true")
                .isEqualTo(rendered);
    }

    @Test
    @Order(3)
    void theCommittedCertificateWorksAndIsNotAboutToExpire() throws Exception {
        checkCertificate(Files.readString(DEFAULT));
    }

    private static void checkCertificate(String manifest) throws Exception {
        List<HasMetadata> objects = objects(manifest);
        Secret secret = objects.stream().filter(Secret.class::isInstance).map(Secret.class::cast).findFirst()
                .orElseThrow();
        ValidatingWebhookConfiguration vwc = objects.stream().filter(ValidatingWebhookConfiguration.class::isInstance)
                .map(ValidatingWebhookConfiguration.class::cast).findFirst().orElseThrow();
        assertThat(vwc.getWebhooks().get(0).getClientConfig().getCaBundle())
                .isEqualTo(secret.getData().get("ca.crt"));
        X509Certificate ca = certificate(secret.getData().get("ca.crt"));
        X509Certificate serving = certificate(secret.getData().get("tls.crt"));
        serving.verify(ca.getPublicKey());
        assertThat(serving.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
                .contains("customs.customs.svc");
        Instant inAYear = Instant.now().plus(Duration.ofDays(365));
        assertThat(serving.getNotAfter().toInstant()).as("regenerate deploy/ well before the certificate expires")
                .isAfter(inAYear);
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get("tls.key")), StandardCharsets.US_ASCII))
                .contains("PRIVATE KEY");
    }

    @Test
    @Order(4)
    void theManifestsCreateTheirNamespaceUnderTheRestrictedPodSecurityStandard() throws IOException {
        for (Path file : List.of(DEFAULT, CERT_MANAGER)) {
            List<HasMetadata> objects = objects(Files.readString(file));
            assertThat(objects.get(0)).as(file + " starts with its Namespace").isInstanceOf(Namespace.class);
            assertThat(objects.get(0).getMetadata().getLabels())
                    .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
            assertThat(objects).as("no helm test hooks in " + file).noneMatch(Chart.Rendered::isTestHook);
        }
    }

    /** A header, the release namespace, and the chart rendered as release "customs" in namespace "customs". */
    private static String manifest(String variant, Map<String, Object> sets) {
        String header = """
                # Customs for kubectl apply -f, rendered from charts/customs (release "customs", namespace "customs") with
                # %s
                #
                # Generated by DeployFilesTest; do not edit. Change the chart, then run
                #   ./mvnw -B test -Dtest=DeployFilesTest -Dcustoms.deploy.regenerate=true
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: customs
                  labels:
                    # Customs' pods meet the restricted Pod Security Standard; keep it so.
                    pod-security.kubernetes.io/enforce: restricted
                """.formatted(variant);
        return header + Chart.template(null, sets).stripTrailing() + "\n";
    }

    /**
     * The rendering with the certificate material of the committed file, while that is still good for a year: as
     * {@code helm upgrade} keeps the generated CA, regenerating for a chart change does not rotate the keys.
     */
    private static String keepCommittedCertificate(String rendered) throws IOException {
        if (!Files.exists(DEFAULT)) {
            return rendered;
        }
        String committed = Files.readString(DEFAULT);
        try {
            checkCertificate(committed);
        } catch (Exception | AssertionError e) {
            return rendered;
        }
        List<String> material = new ArrayList<>();
        Matcher old = CERTIFICATE_MATERIAL.matcher(committed);
        while (old.find()) {
            material.add(old.group());
        }
        Matcher fresh = CERTIFICATE_MATERIAL.matcher(rendered);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (fresh.find()) {
            if (i >= material.size()) {
                return rendered;
            }
            fresh.appendReplacement(out, Matcher.quoteReplacement(material.get(i++)));
        }
        fresh.appendTail(out);
        return i == material.size() ? out.toString() : rendered;
    }

    private static String maskCertificates(String yaml) {
        return CERTIFICATE_MATERIAL.matcher(yaml).replaceAll("$1<generated>");
    }

    private static List<HasMetadata> objects(String yaml) {
        return Chart.documents(yaml).stream().map(d -> SERIALIZATION.unmarshal(d, HasMetadata.class)).toList();
    }

    private static X509Certificate certificate(String base64Pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }
}
