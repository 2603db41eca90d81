package dev.customs.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import dev.customs.image.InMemoryImageInspector;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageConfig;
import dev.customs.rules.ImageReference;
import dev.customs.rules.Platform;
import dev.customs.rules.PodView;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/**
 * The Helm chart: lint, then every scenario (the defaults and each {@code ci/*.yaml}) rendered by Helm and parsed
 * with the fabric8 model, checked for what makes a safe webhook installation, and Customs' own Deployment run through
 * Customs' own rules.
 */
class ChartTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> scenarios() throws IOException {
        List<Arguments> all = new ArrayList<>();
        all.add(Arguments.of("defaults", null));
        for (Path p : Chart.scenarios()) {
            all.add(Arguments.of(p.getFileName().toString(), p));
        }
        return all.stream();
    }

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).allSatisfy(m -> assertThat(m).doesNotContain("[ERROR]", "[WARNING]"));
    }

    @Test
    void scenarioFilesFollowChartTestingNaming() throws IOException {
        // chart-testing (ct) only picks up ci/*-values.yaml; a scenario named otherwise would silently not run in CI
        assertThat(Chart.scenarios()).isNotEmpty()
                .allSatisfy(p -> assertThat(p.getFileName().toString()).endsWith("-values.yaml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void rendersASafeInstallation(String name, Path valuesFile) throws Exception {
        Chart.Rendered r = Chart.render(valuesFile, Map.of());
        JsonNode values = values(valuesFile);

        assertNamesAndNamespaces(r, values);
        assertWebhook(r, values);
        assertServiceWiring(r, values);
        assertTls(r, values);
        assertConfiguration(r, values);
        assertRbac(r, values);
        assertDisruptionBudget(r, values);
        assertPodHardeningAndProbes(r, values);
        assertCustomsPassesItsOwnRules(r);
    }

    // ---- scenario-specific checks ----

    @Test
    void certManagerIssuesTheCertificateFromItsOwnCaChainAndInjectsTheCa() {
        Chart.Rendered r = Chart.render(Chart.DIR.resolve("ci/cert-manager-values.yaml"), Map.of());
        assertThat(r.all(Secret.class)).as("no chart-generated Secret").isEmpty();
        assertThat(r.ofKind("Issuer")).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder("customs-selfsigned", "customs-ca");
        List<HasMetadata> certificates = r.ofKind("Certificate");
        assertThat(certificates).hasSize(2);
        GenericKubernetesResource serving = (GenericKubernetesResource) certificates.stream()
                .filter(c -> c.getMetadata().getName().equals("customs-tls")).findFirst().orElseThrow();
        Map<String, Object> spec = spec(serving);
        assertThat(spec.get("secretName")).isEqualTo("customs-tls");
        assertThat(strings(spec.get("dnsNames"))).contains("customs.customs.svc");
        assertThat(map(spec.get("issuerRef"))).containsEntry("name", "customs-ca").containsEntry("kind", "Issuer");
        assertThat(map(spec.get("privateKey"))).containsEntry("encoding", "PKCS8");
        GenericKubernetesResource ca = (GenericKubernetesResource) certificates.stream()
                .filter(c -> c.getMetadata().getName().equals("customs-ca")).findFirst().orElseThrow();
        assertThat(spec(ca)).containsEntry("isCA", true);

        ValidatingWebhookConfiguration vwc = r.one(ValidatingWebhookConfiguration.class);
        assertThat(vwc.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from",
                "customs/customs-tls");
        assertThat(vwc.getWebhooks().get(0).getClientConfig().getCaBundle()).isNull();
    }

    @Test
    void certManagerCanUseTheClustersOwnIssuer() {
        Chart.Rendered r = Chart.render(Chart.DIR.resolve("ci/cert-manager-issuer-values.yaml"), Map.of());
        assertThat(r.ofKind("Issuer")).isEmpty();
        assertThat(r.ofKind("Certificate")).singleElement().satisfies(c -> {
            Map<String, Object> spec = spec((GenericKubernetesResource) c);
            assertThat(map(spec.get("issuerRef"))).containsEntry("name", "cluster-ca")
                    .containsEntry("kind", "ClusterIssuer");
            assertThat(spec).containsEntry("duration", "720h").containsEntry("renewBefore", "240h");
        });
    }

    @Test
    void pullSecretsGrantSecretReadsAndMountRegistryCredentialsAndCa() {
        Chart.Rendered r = Chart.render(Chart.DIR.resolve("ci/pull-secrets-values.yaml"), Map.of());
        Deployment d = r.one(Deployment.class);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("ghcr.io/customs-dev/customs:0.1.0@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assertThat(pod.getImagePullSecrets()).extracting(s -> s.getName()).containsExactly("customs-pull");

        Properties config = r.config();
        assertThat(config.getProperty("customs.registry.use-pull-secrets")).isEqualTo("true");
        assertThat(config.getProperty("customs.registry.on-error")).isEqualTo("deny");
        assertThat(config.getProperty("customs.registry.mirrors.\"docker.io\"")).isEqualTo(
                "mirror.internal.example:5000");
        assertThat(config.getProperty("customs.registry.platforms")).isEqualTo("linux/amd64,linux/arm64");
        assertThat(config.getProperty("customs.registry.allowed-hosts")).isEqualTo(
                "*.example.com,registry.registry.svc:5000");

        String authFile = config.getProperty("customs.registry.auth-file");
        Volume auth = volumeMountedAt(pod, c, authFile);
        assertThat(auth.getSecret().getSecretName()).isEqualTo("registry-credentials");
        assertThat(auth.getSecret().getItems()).singleElement().satisfies(i -> {
            assertThat(i.getKey()).isEqualTo(".dockerconfigjson");
            assertThat(authFile).endsWith("/" + i.getPath());
        });
        String caFile = config.getProperty("customs.registry.ca-file");
        Volume ca = volumeMountedAt(pod, c, caFile);
        ConfigMap caMap = r.named(ConfigMap.class, ca.getConfigMap().getName());
        assertThat(caMap.getData().get("ca.crt")).startsWith("-----BEGIN CERTIFICATE-----");

        PolicyRule secrets = r.one(ClusterRole.class).getRules().stream()
                .filter(rule -> rule.getResources().contains("secrets")).findFirst().orElseThrow();
        assertThat(secrets.getResources()).containsExactlyInAnyOrder("secrets", "serviceaccounts");
        assertThat(secrets.getVerbs()).containsExactly("get");
    }

    @Test
    void exemptionsRuleSettingsAndSelectorsReachTheConfiguration() {
        Chart.Rendered r = Chart.render(Chart.DIR.resolve("ci/exemptions-values.yaml"), Map.of());
        Properties config = r.config();
        assertThat(config.getProperty("customs.rules.\"host-network\".action")).isEqualTo("warn");
        assertThat(config.getProperty("customs.rules.\"leaked-secret\".action")).isEqualTo("off");
        assertThat(config.getProperty("customs.rules.\"docker-socket\".extra-paths"))
                .isEqualTo("/run/custom-runtime/runtime.sock");
        assertThat(config.getProperty("customs.rules.\"oci-labels\".required-keys"))
                .isEqualTo("org.opencontainers.image.source,org.opencontainers.image.revision");
        assertThat(config.getProperty("customs.rules.\"image-size\".action")).isEqualTo("enforce");
        assertThat(config.getProperty("customs.rules.\"image-size\".max-size")).isEqualTo("1.5GB");
        // the defaults: image-size off (no limit), base-image warns
        Properties defaults = Chart.render(null, Map.of()).config();
        assertThat(defaults.getProperty("customs.rules.\"image-size\".max-size")).isNull();
        assertThat(defaults.getProperty("customs.rules.\"image-size\".action")).isEqualTo("warn");
        assertThat(defaults.getProperty("customs.rules.\"base-image\".action")).isEqualTo("warn");
        assertThat(config.getProperty("customs.rules.\"latest-tag\".moving-tags")).isEqualTo("latest,main,nightly-*");
        assertThat(config.getProperty("customs.exemptions.\"system\".namespaces"))
                .isEqualTo("customs,kube-system,kube-node-lease");
        assertThat(config.getProperty("customs.exemptions.\"legacy-batch\".rules"))
                .isEqualTo("run-as-root,shell-form-entrypoint");
        assertThat(config.getProperty("customs.exemptions.\"legacy-batch\".images"))
                .isEqualTo("registry.example.com/legacy/");
        assertThat(config.getProperty("customs.exemptions.\"legacy-batch\".expires")).isEqualTo("2027-06-30");
        // a string is not a list: its comma is not escaped
        assertThat(config.getProperty("customs.exemptions.\"legacy-batch\".reason"))
                .isEqualTo("Legacy batch images, being rebuilt; ticket OPS-1234, owner: platform team");
        assertThat(config.getProperty("customs.exemptions.\"ci-robot\".users"))
                .isEqualTo("system:serviceaccount:ci:deployer");
        assertThat(config.getProperty("customs.audit.interval")).isEqualTo("0");

        ValidatingWebhook webhook = r.one(ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).hasSize(2);
        assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(0).getValues())
                .containsExactly("customs", "kube-system", "monitoring");
        assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(1).getKey())
                .isEqualTo("customs.dev/ignore");
        assertThat(webhook.getObjectSelector().getMatchExpressions()).singleElement()
                .satisfies(e -> assertThat(e.getKey()).isEqualTo("customs.dev/skip"));
    }

    @Test
    void listItemsWithCommasAreEscapedForSmallRyeConfig() {
        Chart.Rendered r = Chart.render(null, Map.of("exemptions.odd.groups[0]", "a,b", "exemptions.odd.groups[1]",
                "c", "exemptions.odd.reason", "a reason"));
        // the properties syntax keeps one backslash, which tells SmallRye Config the comma is not a separator
        assertThat(r.config().getProperty("customs.exemptions.\"odd\".groups")).isEqualTo("a\\,b,c");
    }

    @Test
    void monitoringAddsAServiceMonitorForTheMetricsPortAndTheDashboard() throws Exception {
        Chart.Rendered r = Chart.render(Chart.DIR.resolve("ci/monitoring-values.yaml"), Map.of());
        GenericKubernetesResource sm = (GenericKubernetesResource) r.ofKind("ServiceMonitor").get(0);
        assertThat(sm.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        Map<String, Object> spec = spec(sm);
        @SuppressWarnings("unchecked")
        Map<String, String> selector = (Map<String, String>) map(spec.get("selector")).get("matchLabels");
        List<Service> selected = r.all(Service.class).stream()
                .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet())).toList();
        assertThat(selected).as("the ServiceMonitor selects the metrics Service only").singleElement()
                .satisfies(s -> assertThat(s.getMetadata().getName()).isEqualTo("customs-metrics"));
        Map<String, Object> endpoint = map(((List<?>) spec.get("endpoints")).get(0));
        assertThat(endpoint).containsEntry("path", "/q/metrics").containsEntry("interval", "15s");
        ServicePort port = selected.get(0).getSpec().getPorts().get(0);
        assertThat(port.getName()).isEqualTo(endpoint.get("port"));
        assertThat(containerPort(r.one(Deployment.class), port.getTargetPort().getStrVal())).isEqualTo(9000);

        ConfigMap dashboard = r.named(ConfigMap.class, "customs-dashboard");
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        JsonNode json = JSON.readTree(dashboard.getData().get("customs.json"));
        String exprs = json.findValuesAsText("expr").stream().collect(Collectors.joining("\n"));
        assertThat(json.get("panels")).hasSizeGreaterThanOrEqualTo(6);
        assertThat(exprs).contains("customs_admission_requests_total", "by (decision)", "customs_violations_total",
                "by (rule", "histogram_quantile(0.99", "customs_admission_duration_seconds_bucket",
                "customs_image_resolutions_total", "result=~\"hit|refresh|stale\"",
                "customs_registry_request_duration_seconds_bucket", "customs_audit_violations",
                "by (namespace, rule)");

        Properties config = r.config();
        assertThat(config.getProperty("customs.metrics.namespace-label")).isEqualTo("true");
        assertThat(config.getProperty("customs.audit.events")).isEqualTo("true");
    }

    @Test
    void aSmallClusterCanRunOneReplicaThatFailsOpen() {
        Chart.Rendered r = Chart.render(Chart.DIR.resolve("ci/small-cluster-values.yaml"), Map.of());
        Deployment d = r.one(Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(1);
        assertThat(d.getSpec().getTemplate().getSpec().getAffinity()).isNull();
        assertThat(d.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
        ValidatingWebhook webhook = r.one(ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(10);
        assertThat(r.config().getProperty("quarkus.log.level")).isEqualTo("DEBUG");
    }

    @Test
    void hardAntiAffinityRequiresDifferentNodes() {
        Deployment d = Chart.render(null, Map.of("podAntiAffinity", "hard")).one(Deployment.class);
        var anti = d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
        assertThat(anti.getPreferredDuringSchedulingIgnoredDuringExecution()).isEmpty();
        assertThat(anti.getRequiredDuringSchedulingIgnoredDuringExecution()).singleElement().satisfies(t -> {
            assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(t.getLabelSelector().getMatchLabels())
                    .isEqualTo(d.getSpec().getSelector().getMatchLabels());
        });
    }

    @Test
    void aConfigurationChangeRollsThePods() {
        Chart.Rendered before = Chart.render(null, Map.of());
        Chart.Rendered after = Chart.render(null, Map.of("rules.latest-tag.action", "warn"));
        assertThat(checksum(after)).isNotEqualTo(checksum(before));
        // the checksum is the configuration's own, so an unrelated value does not roll the pods
        assertThat(checksum(Chart.render(null, Map.of("podDisruptionBudget.maxUnavailable", 2))))
                .isEqualTo(checksum(before));
    }

    // ---- values that must be refused ----

    @Test
    void aMisspeltValueIsRefusedByTheSchema() {
        assertRefused(Map.of("replicas", 3), "replicas");
        assertRefused(Map.of("webhook.failurPolicy", "Ignore"), "failurPolicy");
        assertRefused(Map.of("registry.onerror", "deny"), "onerror");
        assertRefused(Map.of("rules.no-root.action", "warn"), "no-root");
    }

    @Test
    void anUnknownEnumValueIsRefusedByTheSchema() {
        assertRefused(Map.of("rules.run-as-root.action", "block"), "action");
        assertRefused(Map.of("tls.mode", "self-signed"), "mode");
        assertRefused(Map.of("webhook.failurePolicy", "fail"), "failurePolicy");
        assertRefused(Map.of("webhook.name", "customs"), "name");
        assertRefused(Map.of("registry.budget", "3 seconds"), "budget");
        assertRefused(Map.of("rules.image-size.maxSize", "half a gig"), "maxSize");
    }

    @Test
    void settingsThatCannotWorkTogetherAreRefused() {
        assertRefused(Map.of("webhook.timeoutSeconds", 3), "must be above registry.budget");
        assertRefused(Map.of("terminationGracePeriodSeconds", 12), "must be above shutdownDelaySeconds");
        assertRefused(Map.of("image.tag", "latest"), "latest");
        assertRefused(Map.of("registry.ca.pem", "x", "registry.ca.configMap", "y"), "not both");
    }

    // ---- documentation ----

    @Test
    void everyValueIsCommented() throws IOException {
        List<String> lines = Files.readAllLines(Chart.DIR.resolve("values.yaml"));
        Pattern key = Pattern.compile("^(\\s*)([A-Za-z0-9_.-]+):");
        // the keys inside these are Kubernetes' own fields, documented by the comment on the value itself
        Set<String> kubernetesObjects = Set.of("resources");
        List<String> undocumented = new ArrayList<>();
        int insideKubernetesObject = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = key.matcher(lines.get(i));
            if (!m.find()) {
                continue;
            }
            int indent = m.group(1).length();
            if (insideKubernetesObject >= 0 && indent > insideKubernetesObject) {
                continue;
            }
            insideKubernetesObject = kubernetesObjects.contains(m.group(2)) ? indent : -1;
            int j = i - 1;
            while (j >= 0 && lines.get(j).isBlank()) {
                j--;
            }
            if (j < 0 || !lines.get(j).stripLeading().startsWith("#")) {
                undocumented.add((i + 1) + ": " + lines.get(i).strip());
            }
        }
        assertThat(undocumented).as("values.yaml keys without a comment above them").isEmpty();
    }

    @Test
    void theSchemaForbidsUnknownKeysEverywhere() throws IOException {
        JsonNode schema = JSON.readTree(Chart.DIR.resolve("values.schema.json").toFile());
        List<String> open = new ArrayList<>();
        collectOpenObjects(schema, "$", open);
        assertThat(open).as("objects of the schema that accept any key").isEmpty();

        // and every key of values.yaml is declared: the schema is not looser than the documented values
        JsonNode values = YAML.readTree(Chart.DIR.resolve("values.yaml").toFile());
        assertThat(undeclared(values, schema, "")).isEmpty();
    }

    // ---- shared assertions ----

    private static void assertNamesAndNamespaces(Chart.Rendered r, JsonNode values) {
        for (HasMetadata o : r.objects()) {
            assertThat(o.getMetadata().getName()).as(o.getKind()).hasSizeLessThanOrEqualTo(63);
            boolean dashboard = o.getMetadata().getName().endsWith("-dashboard");
            if (o.getMetadata().getNamespace() != null && !dashboard) {
                assertThat(o.getMetadata().getNamespace()).as(o.getKind() + " " + o.getMetadata().getName())
                        .isEqualTo(Chart.NAMESPACE);
            }
            assertThat(o.getMetadata().getLabels()).as(o.getKind() + " labels")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsKey("helm.sh/chart");
        }
    }

    private static void assertWebhook(Chart.Rendered r, JsonNode values) {
        ValidatingWebhookConfiguration vwc = r.one(ValidatingWebhookConfiguration.class);
        assertThat(vwc.getWebhooks()).hasSize(1);
        ValidatingWebhook w = vwc.getWebhooks().get(0);
        assertThat(w.getName().split("\\.")).as("a fully qualified webhook name").hasSizeGreaterThanOrEqualTo(3);
        assertThat(w.getAdmissionReviewVersions()).containsExactly("v1", "v1beta1");
        assertThat(w.getSideEffects()).isEqualTo("NoneOnDryRun");
        assertThat(w.getFailurePolicy()).isEqualTo(values.at("/webhook/failurePolicy").asText());
        assertThat(w.getTimeoutSeconds()).isEqualTo(values.at("/webhook/timeoutSeconds").asInt());
        assertThat(w.getMatchPolicy()).isEqualTo("Equivalent");

        Map<String, Set<String>> resources = new LinkedHashMap<>();
        for (RuleWithOperations rule : w.getRules()) {
            assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE");
            assertThat(rule.getApiVersions()).containsExactly("v1");
            assertThat(rule.getScope()).isEqualTo("Namespaced");
            assertThat(rule.getApiGroups()).hasSize(1);
            resources.computeIfAbsent(rule.getApiGroups().get(0), g -> new TreeSet<>()).addAll(rule.getResources());
        }
        assertThat(resources).isEqualTo(Map.of(
                "", Set.of("pods", "pods/ephemeralcontainers", "replicationcontrollers"),
                "apps", Set.of("deployments", "replicasets", "statefulsets", "daemonsets"),
                "batch", Set.of("jobs", "cronjobs")));
        // every kind the webhook sends is one Customs maps, and every kind Customs maps is sent
        Set<String> kinds = Stream.of(WorkloadKind.values()).map(WorkloadKind::kind).collect(Collectors.toSet());
        assertThat(kinds).containsExactlyInAnyOrder("Pod", "ReplicationController", "Deployment", "ReplicaSet",
                "StatefulSet", "DaemonSet", "Job", "CronJob");

        var exclusion = w.getNamespaceSelector().getMatchExpressions().get(0);
        assertThat(exclusion.getKey()).isEqualTo("kubernetes.io/metadata.name");
        assertThat(exclusion.getOperator()).isEqualTo("NotIn");
        assertThat(exclusion.getValues()).contains(Chart.NAMESPACE, "kube-system");
    }

    private static void assertServiceWiring(Chart.Rendered r, JsonNode values) {
        ValidatingWebhook w = r.one(ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        var ref = w.getClientConfig().getService();
        assertThat(w.getClientConfig().getUrl()).isNull();
        assertThat(ref.getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(ref.getPath()).isEqualTo("/validate");
        Service service = r.named(Service.class, ref.getName());
        ServicePort port = service.getSpec().getPorts().stream().filter(p -> p.getPort().equals(ref.getPort()))
                .findFirst().orElseThrow(() -> new AssertionError("the Service has no port " + ref.getPort()));
        Deployment d = r.one(Deployment.class);
        assertThat(containerPort(d, port.getTargetPort().getStrVal())).as("the port the webhook reaches")
                .isEqualTo(8443).isEqualTo(Integer.parseInt(r.config().getProperty("quarkus.http.ssl-port")));
        assertThat(service.getSpec().getSelector())
                .isEqualTo(d.getSpec().getSelector().getMatchLabels())
                .isEqualTo(d.getSpec().getTemplate().getMetadata().getLabels().entrySet().stream()
                        .filter(e -> d.getSpec().getSelector().getMatchLabels().containsKey(e.getKey()))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    private static void assertTls(Chart.Rendered r, JsonNode values) throws Exception {
        Deployment d = r.one(Deployment.class);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        Properties config = r.config();
        assertThat(config.getProperty("quarkus.http.tls-configuration-name")).isEqualTo("webhook");
        assertThat(config.getProperty("quarkus.http.insecure-requests")).isEqualTo("disabled");
        String certFile = config.getProperty("quarkus.tls.webhook.key-store.pem.0.cert");
        String keyFile = config.getProperty("quarkus.tls.webhook.key-store.pem.0.key");
        Volume tls = volumeMountedAt(pod, c, certFile);
        assertThat(volumeMountedAt(pod, c, keyFile)).isSameAs(tls);
        assertThat(certFile).endsWith("/tls.crt");
        assertThat(keyFile).endsWith("/tls.key");
        String secretName = tls.getSecret().getSecretName();

        ValidatingWebhook w = r.one(ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        String serviceDns = w.getClientConfig().getService().getName() + "." + Chart.NAMESPACE + ".svc";
        if (values.at("/tls/mode").asText().equals("generate")) {
            Secret secret = r.named(Secret.class, secretName);
            assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
            X509Certificate ca = certificate(secret.getData().get("ca.crt"));
            X509Certificate serving = certificate(secret.getData().get("tls.crt"));
            assertThat(w.getClientConfig().getCaBundle()).isEqualTo(secret.getData().get("ca.crt"));
            serving.verify(ca.getPublicKey());
            assertThat(serving.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))).toList())
                    .contains(serviceDns);
            assertThat(ca.getBasicConstraints()).as("the CA is a CA").isGreaterThanOrEqualTo(0);
        } else {
            GenericKubernetesResource certificate = (GenericKubernetesResource) r.ofKind("Certificate").stream()
                    .filter(o -> secretName.equals(spec((GenericKubernetesResource) o).get("secretName")))
                    .findFirst().orElseThrow(() -> new AssertionError("no Certificate writes " + secretName));
            assertThat(strings(spec(certificate).get("dnsNames"))).contains(serviceDns);
            assertThat(r.one(ValidatingWebhookConfiguration.class).getMetadata().getAnnotations())
                    .containsEntry("cert-manager.io/inject-ca-from",
                            Chart.NAMESPACE + "/" + certificate.getMetadata().getName());
        }
    }

    private static void assertConfiguration(Chart.Rendered r, JsonNode values) {
        Deployment d = r.one(Deployment.class);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        String location = env(c, "QUARKUS_CONFIG_LOCATIONS");
        Volume config = volumeMountedAt(pod, c, location);
        assertThat(config.getConfigMap().getName()).isEqualTo(Chart.RELEASE);
        assertThat(location).endsWith("/application.properties");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("POD_NAMESPACE");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        });

        Properties p = r.config();
        assertThat(p.getProperty("config_ordinal")).isEqualTo("275");
        for (String id : RuleRegistry.IDS) {
            assertThat(p.getProperty("customs.rules.\"" + id + "\".action")).as(id)
                    .isEqualTo(values.at("/rules/" + id + "/action").asText());
        }
        assertThat(p.getProperty("customs.registry.on-error")).isEqualTo(values.at("/registry/onError").asText());
        assertThat(p.getProperty("customs.registry.budget")).isEqualTo(values.at("/registry/budget").asText());
        assertThat(p.getProperty("customs.exemptions.\"system\".namespaces")).startsWith(Chart.NAMESPACE + ",")
                .contains("kube-system");
        assertThat(p.getProperty("quarkus.shutdown.delay"))
                .isEqualTo(values.at("/shutdownDelaySeconds").asInt() + "s");
        // every key Customs reads is one of the contract's prefixes; a typo in the chart would be a dead setting
        assertThat(p.stringPropertyNames()).allSatisfy(k -> assertThat(k).matches(
                "config_ordinal|quarkus\\.(log|http|management|tls|shutdown)\\..+|customs\\.(rules|admission|registry|exemptions|audit|reports|metrics|leader-election)\\..+"));
        List<String> formats = new ArrayList<>();
        values.at("/reports/formats").forEach(f -> formats.add(f.asText()));
        assertThat(p.getProperty("customs.reports.formats")).isEqualTo(String.join(",", formats));
        assertThat(p.getProperty("customs.reports.max-results")).isEqualTo(values.at("/reports/maxResults").asText());
        assertThat(p.getProperty("customs.audit.page-size")).isEqualTo(values.at("/audit/pageSize").asText());

        assertThat(checksum(r)).isEqualTo(sha256(
                r.named(ConfigMap.class, Chart.RELEASE).getData().get("application.properties").stripTrailing()));
    }

    /**
     * The chart grants what Customs calls and nothing more; the end-to-end suite checks the same against a real API
     * server's audit log (RbacProcessIT).
     */
    private static void assertRbac(Chart.Rendered r, JsonNode values) {
        ClusterRole role = r.one(ClusterRole.class);
        Map<String, Set<String>> verbs = new LinkedHashMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertThat(rule.getResourceNames()).as("no resourceNames").isNullOrEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    verbs.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs());
                }
            }
        }
        boolean audit = !values.at("/audit/interval").asText().matches("0+(ms|s|m|h|d)?");
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        // a series grows by a merge patch, without reading the Event first
        expected.put("events.k8s.io/events", Set.of("create", "patch"));
        expected.put("/namespaces", Set.of("list", "watch"));
        if (audit) {
            // the audit lists every kind; pods, ReplicaSets and Jobs as metadata, getting the unowned ones in full
            for (String listed : List.of("/replicationcontrollers", "apps/deployments", "apps/statefulsets",
                    "apps/daemonsets", "batch/cronjobs")) {
                expected.put(listed, Set.of("list"));
            }
            for (String metadataFirst : List.of("/pods", "apps/replicasets", "batch/jobs")) {
                expected.put(metadataFirst, Set.of("get", "list"));
            }
            if (values.at("/reports/enabled").asBoolean()) {
                // its own reports: listed by label, server-side applied (create and patch), stale ones deleted
                Set<String> formats = new TreeSet<>();
                values.at("/reports/formats").forEach(f -> formats.add(f.asText()));
                if (formats.contains("openreports")) {
                    expected.put("openreports.io/reports", Set.of("list", "create", "patch", "delete"));
                }
                if (formats.contains("wgpolicyk8s")) {
                    expected.put("wgpolicyk8s.io/policyreports", Set.of("list", "create", "patch", "delete"));
                }
            }
        }
        if (values.at("/registry/usePullSecrets").asBoolean()) {
            expected.put("/secrets", Set.of("get"));
            expected.put("/serviceaccounts", Set.of("get"));
        }
        assertThat(verbs).isEqualTo(expected);

        ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        String sa = r.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(sa);
            assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
        });

        // the audit's leader election: its one Lease, in the release namespace
        List<Role> roles = r.all(Role.class);
        if (!audit) {
            assertThat(roles).isEmpty();
            return;
        }
        String lease = r.config().getProperty("customs.leader-election.lease-name");
        assertThat(lease).isEqualTo(Chart.RELEASE + "-audit");
        assertThat(roles).singleElement().satisfies(leader -> {
            assertThat(leader.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
            assertThat(leader.getRules()).extracting(PolicyRule::getApiGroups, PolicyRule::getResources,
                    PolicyRule::getResourceNames, PolicyRule::getVerbs).containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(List.of("coordination.k8s.io"), List.of("leases"),
                                    List.of(), List.of("create")),
                            org.assertj.core.groups.Tuple.tuple(List.of("coordination.k8s.io"), List.of("leases"),
                                    List.of(lease), List.of("get", "patch")));
            RoleBinding rb = r.one(RoleBinding.class);
            assertThat(rb.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
            assertThat(rb.getRoleRef().getName()).isEqualTo(leader.getMetadata().getName());
            assertThat(rb.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo(sa));
        });
    }

    private static void assertDisruptionBudget(Chart.Rendered r, JsonNode values) {
        Deployment d = r.one(Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(values.at("/replicaCount").asInt());
        PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getMinAvailable()).isNull();
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    }

    private static void assertPodHardeningAndProbes(Chart.Rendered r, JsonNode values) {
        Deployment d = r.one(Deployment.class);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        if (values.at("/replicaCount").asInt() > 1 && !values.at("/podAntiAffinity").asText().equals("none")) {
            assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
        }
        assertThat(pod.getTerminationGracePeriodSeconds()).as("grace period above the webhook timeout")
                .isGreaterThan((long) values.at("/webhook/timeoutSeconds").asInt()
                        + values.at("/shutdownDelaySeconds").asInt());
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getHostNetwork()).isNull();
        assertThat(pod.getContainers()).hasSize(1);
        Container c = pod.getContainers().get(0);
        var sc = c.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isPositive();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(volumeMountedAt(pod, c, "/tmp/x").getEmptyDir()).as("a writable /tmp").isNotNull();
        assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(c.getResources().getLimits()).containsKey("memory");
        assertThat(c.getImage()).doesNotEndWith(":latest");

        assertThat(containerPort(d, "management")).as("the management port Customs is configured with")
                .isEqualTo(Integer.parseInt(r.config().getProperty("quarkus.management.port")));
        assertProbe(d, c.getLivenessProbe(), "/q/health/live");
        assertProbe(d, c.getReadinessProbe(), "/q/health/ready");
        assertProbe(d, c.getStartupProbe(), "/q/health/started");
    }

    private static void assertProbe(Deployment d, Probe probe, String path) {
        assertThat(probe).as(path).isNotNull();
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getScheme()).as("plain HTTP on the management port").isNull();
        assertThat(containerPort(d, probe.getHttpGet().getPort().getStrVal())).isEqualTo(9000);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
    }

    /**
     * Customs' own Deployment, mapped as the admission handler maps it and evaluated by every rule with the image
     * configuration jib builds from application.properties: it must pass, with nothing unverified.
     */
    private static void assertCustomsPassesItsOwnRules(Chart.Rendered r) throws Exception {
        Deployment d = r.one(Deployment.class);
        JsonNode object = JSON.readTree(Chart.json(d));
        PodView view = new PodViewMapper(JSON).toView(WorkloadKind.DEPLOYMENT, object, Chart.NAMESPACE,
                d.getMetadata().getName());
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        InMemoryImageInspector images = new InMemoryImageInspector().put(image, JibImage.config());
        Evaluation e = new RuleEngine(RuleRegistry.defaults()).evaluate(view,
                c -> images.get(ImageReference.parse(c.image())), id -> true);
        assertThat(e.violations()).as("violations of Customs' own Deployment").isEmpty();
        assertThat(e.unverified()).isEmpty();
    }

    // ---- helpers ----

    /** The image jib builds, as application.properties configures it: user, entrypoint, labels. */
    static final class JibImage {
        private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

        static ImageConfig config() throws IOException {
            Properties p = new Properties();
            try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
                p.load(in);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            String prefix = "quarkus.container-image.labels.\"";
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith(prefix)) {
                    labels.put(k.substring(prefix.length(), k.length() - 1), resolve(p.getProperty(k)));
                }
            }
            List<String> entrypoint = List.of(p.getProperty("quarkus.jib.jvm-entrypoint").split(","));
            // the base image's PATH, then what application.properties adds
            List<String> env = new ArrayList<>(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
            String envPrefix = "quarkus.jib.environment-variables.\"";
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith(envPrefix)) {
                    env.add(k.substring(envPrefix.length(), k.length() - 1) + "=" + p.getProperty(k));
                }
            }
            return new ImageConfig(Platform.of("linux", "amd64"), p.getProperty("quarkus.jib.user"), entrypoint,
                    List.of(), env, labels, List.of());
        }

        /** The value a build without -D overrides gets: the expression's default, or the application version. */
        private static String resolve(String value) {
            Matcher m = EXPRESSION.matcher(value);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String replacement = m.group(1).equals("quarkus.application.version") ? "0.1.0-SNAPSHOT"
                        : m.group(2);
                if (replacement == null) {
                    throw new AssertionError("no default for ${" + m.group(1) + "} in " + value);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    /** values.yaml overlaid with a scenario file, as Helm merges them. */
    static JsonNode values(Path scenario) throws IOException {
        ObjectNode values = (ObjectNode) YAML.readTree(Chart.DIR.resolve("values.yaml").toFile());
        if (scenario != null) {
            merge(values, YAML.readTree(scenario.toFile()));
        }
        return values;
    }

    private static void merge(ObjectNode into, JsonNode from) {
        Iterator<Map.Entry<String, JsonNode>> fields = from.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode existing = into.get(f.getKey());
            if (existing instanceof ObjectNode o && f.getValue().isObject()) {
                merge(o, f.getValue());
            } else {
                into.set(f.getKey(), f.getValue());
            }
        }
    }

    private static void assertRefused(Map<String, Object> sets, String expected) {
        assertThatThrownBy(() -> Chart.template(null, sets)).as("helm template with " + sets)
                .hasMessageContaining(expected);
    }

    private static String checksum(Chart.Rendered r) {
        return r.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate certificate(String base64Pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }

    private static int containerPort(Deployment d, String name) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                .filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + name));
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name)).getValue();
    }

    /** The volume mounted at the directory that holds {@code file}. */
    private static Volume volumeMountedAt(PodSpec pod, Container c, String file) {
        VolumeMount mount = c.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath() + "/"))
                .findFirst().orElseThrow(() -> new AssertionError("nothing is mounted where " + file + " is"));
        return pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource o) {
        return (Map<String, Object>) o.getAdditionalProperties().get("spec");
    }

    private static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** Paths of schema objects that declare properties but do not forbid others. */
    private static void collectOpenObjects(JsonNode schema, String path, List<String> open) {
        if (schema.isObject()) {
            if (schema.has("properties") && !schema.path("additionalProperties").isBoolean()) {
                open.add(path);
            }
            if (schema.has("properties") && schema.path("additionalProperties").asBoolean(false)) {
                open.add(path);
            }
            schema.fields().forEachRemaining(f -> collectOpenObjects(f.getValue(), path + "." + f.getKey(), open));
        } else if (schema.isArray()) {
            for (int i = 0; i < schema.size(); i++) {
                collectOpenObjects(schema.get(i), path + "[" + i + "]", open);
            }
        }
    }

    private static List<String> undeclared(JsonNode values, JsonNode schema, String path) {
        List<String> missing = new ArrayList<>();
        if (!values.isObject() || !schema.has("properties")) {
            return missing;
        }
        values.fields().forEachRemaining(f -> {
            JsonNode s = schema.get("properties").get(f.getKey());
            if (s == null) {
                missing.add(path + "." + f.getKey());
            } else {
                missing.addAll(undeclared(f.getValue(), s, path + "." + f.getKey()));
            }
        });
        return missing;
    }
}
