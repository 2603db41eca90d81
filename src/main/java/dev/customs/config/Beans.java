package dev.customs.config;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.AdmissionHandler;
import dev.customs.admission.WorkloadKind;
import dev.customs.audit.AuditScanner;
import dev.customs.image.ImageInspector;
import dev.customs.image.ImageResolver;
import dev.customs.image.layers.LayerScans;
import dev.customs.image.registry.RegistryImageInspector;
import dev.customs.kube.KubernetesAccess;
import dev.customs.kube.LeaderElection;
import dev.customs.kube.NamespaceCache;
import dev.customs.policy.Action;
import dev.customs.policy.Exemption;
import dev.customs.policy.NamespaceLabels;
import dev.customs.policy.Policy;
import dev.customs.report.EventReporter;
import dev.customs.report.KubernetesEventSink;
import dev.customs.report.LogEventSink;
import dev.customs.report.MicrometerRecorder;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.DockerSocket;
import dev.customs.rules.ImageSize;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.OciLabels;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.Vertx;

/**
 * Wires the plain classes of the admission flow from configuration. Everything below is built once, and a
 * configuration error (an unknown rule id, an exemption that would exempt everything) fails start-up instead of
 * silently not enforcing.
 */
public class Beans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The rules with their configured settings; shared with {@code customs check}. */
    @Produces
    @Singleton
    public static RuleRegistry ruleRegistry(CustomsConfig config) {
        Map<String, CustomsConfig.RuleConfig> rules = config.rules();
        for (String id : rules.keySet()) {
            if (!RuleRegistry.IDS.contains(id)) {
                throw new IllegalArgumentException(
                        "customs.rules.\"" + id + "\": unknown rule id; known ids are " + RuleRegistry.IDS);
            }
        }
        List<String> extra = rules.containsKey(DockerSocket.ID)
                ? rules.get(DockerSocket.ID).extraPaths().orElse(List.of())
                : List.of();
        List<String> labels = rules.containsKey(OciLabels.ID)
                ? rules.get(OciLabels.ID).requiredKeys().orElse(OciLabels.DEFAULT_REQUIRED)
                : OciLabels.DEFAULT_REQUIRED;
        String maxSize = rules.containsKey(ImageSize.ID) ? rules.get(ImageSize.ID).maxSize().orElse(null) : null;
        return RuleRegistry.withSettings(extra, labels, maxSize);
    }

    @Produces
    @Singleton
    RuleEngine ruleEngine(RuleRegistry registry) {
        return new RuleEngine(registry);
    }

    @Produces
    @Singleton
    KubernetesAccess kubernetesAccess(Config config, Instance<KubernetesClient> client) {
        return new KubernetesAccess(config, client::get);
    }

    @Produces
    @Singleton
    NamespaceCache namespaceCache(KubernetesAccess k8s) {
        return new NamespaceCache(k8s);
    }

    void closeNamespaceCache(@Disposes NamespaceCache cache) {
        cache.close();
    }

    @Produces
    @Singleton
    Recorder recorder(MeterRegistry registry, CustomsConfig config) {
        return new MicrometerRecorder(registry, config.metrics().namespaceLabel());
    }

    @Produces
    @Singleton
    Policy policy(CustomsConfig config, NamespaceCache namespaces, Clock clock, Recorder recorder) {
        return policy(config, namespaces, clock, e -> recorder.exemptionExpired(e.name()));
    }

    /** The policy of the configuration; shared with {@code customs check}. */
    public static Policy policy(CustomsConfig config, NamespaceLabels namespaces, Clock clock,
            Consumer<Exemption> onExpired) {
        Map<String, Action> actions = new LinkedHashMap<>();
        config.rules().forEach((id, rule) -> rule.action().ifPresent(a -> actions.put(id, a)));
        return new Policy(actions, config.registry().onError(), exemptions(config), namespaces, clock, onExpired);
    }

    /** The name of the built-in exemption for kube-system and Customs' own namespace. */
    public static final String SYSTEM_EXEMPTION = "system";

    /**
     * The configured, enabled exemptions; shared with {@code customs check}. Unless the configuration defines an
     * exemption named {@code system} itself (the Helm chart does), a built-in one covers kube-system and the release
     * namespace, so Customs never blocks the control plane or its own rollout. It is built here rather than as
     * property defaults because SmallRye refuses a map key written both quoted and unquoted in different sources.
     */
    public static List<Exemption> exemptions(CustomsConfig config) {
        List<Exemption> out = new ArrayList<>();
        if (!config.exemptions().containsKey(SYSTEM_EXEMPTION)) {
            out.add(new Exemption(SYSTEM_EXEMPTION, Set.of("kube-system", config.releaseNamespace()), List.of(),
                    Set.of(), Set.of(), Set.of(), "the control plane and Customs itself must always be able to start",
                    null));
        }
        config.exemptions().forEach((name, e) -> {
            if (!e.enabled()) {
                return;
            }
            Exemption x = new Exemption(name, Set.copyOf(e.namespaces().orElse(List.of())),
                    e.images().orElse(List.of()), Set.copyOf(e.users().orElse(List.of())),
                    Set.copyOf(e.groups().orElse(List.of())), Set.copyOf(e.rules().orElse(List.of())), e.reason(),
                    e.expires().orElse(null));
            if (x.namespaces().isEmpty() && x.images().isEmpty() && x.users().isEmpty() && x.groups().isEmpty()) {
                throw new IllegalArgumentException("customs.exemptions.\"" + name + "\" names no namespaces, images, "
                        + "users or groups, so it would exempt everything; set one, or enabled=false");
            }
            out.add(x);
        });
        return out;
    }

    @Produces
    @Singleton
    EventReporter eventReporter(CustomsConfig config, KubernetesAccess k8s, Recorder recorder, Clock clock) {
        return new EventReporter(
                k8s.available() ? new KubernetesEventSink(k8s.client(), config.podName()) : new LogEventSink(),
                recorder, clock, config.events().aggregationWindow(), config.events().queueSize());
    }

    void closeEventReporter(@Disposes EventReporter reporter) {
        reporter.close();
    }

    @Produces
    @Singleton
    Reporter reporter(CustomsConfig config, Recorder recorder, EventReporter events) {
        return new Reporter(recorder, config.events().enabled() ? events : null, config.audit().events());
    }

    /** Where image layers are scanned for secret files; shared with {@code customs check}. */
    public static LayerScans.Settings layerScanSettings(CustomsConfig config) {
        CustomsConfig.RuleConfig rule = config.rules().get(LeakedSecret.ID);
        if (rule != null && rule.action().orElse(null) == Action.OFF) {
            return LayerScans.Settings.OFF;
        }
        LayerScans.Mode mode = rule == null ? LayerScans.Mode.BACKGROUND
                : rule.layers().orElse(LayerScans.Mode.BACKGROUND);
        long maxBytes = rule == null ? DEFAULT_LAYER_MAX_BYTES
                : rule.layerMaxBytes().map(MemorySize::asLongValue).orElse(DEFAULT_LAYER_MAX_BYTES);
        long rate = rule == null ? DEFAULT_LAYER_RATE
                : rule.layerRate().map(MemorySize::asLongValue).orElse(DEFAULT_LAYER_RATE);
        int concurrency = rule == null ? 2 : rule.layerConcurrency().orElse(2);
        if (maxBytes <= 0 || rate <= 0 || concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("customs.rules.\"leaked-secret\": layer-max-bytes and layer-rate must be "
                    + "positive and layer-concurrency between 1 and 64");
        }
        return new LayerScans.Settings(mode, maxBytes, rate, concurrency);
    }

    static final long DEFAULT_LAYER_MAX_BYTES = 1024L * 1024 * 1024;
    static final long DEFAULT_LAYER_RATE = 64L * 1024 * 1024;

    @Produces
    @Singleton
    LayerScans layerScans(CustomsConfig config, Recorder recorder) {
        return new LayerScans(layerScanSettings(config), recorder);
    }

    void closeLayerScans(@Disposes LayerScans scans) {
        scans.close();
    }

    /**
     * Application-scoped so tests can swap it with {@code QuarkusMock}; the admission handler holds the proxy. Built at
     * start-up, so a bad registry setting (CIDR, CA file, platform) fails start-up.
     */
    @Produces
    @ApplicationScoped
    @Startup
    ImageInspector imageInspector(CustomsConfig config, Vertx vertx, ObjectMapper mapper, KubernetesAccess k8s,
            Recorder recorder, LayerScans layerScans) {
        return RegistryImageInspector.create(config.registry(), vertx, mapper, k8s::client, recorder, layerScans);
    }

    void closeImageInspector(@Disposes ImageInspector inspector) throws Exception {
        if (inspector instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Produces
    @Singleton
    ImageResolver imageResolver(ImageInspector inspector, CustomsConfig config) {
        return new ImageResolver(inspector, config.registry().budget());
    }

    @Produces
    @Singleton
    AdmissionHandler admissionHandler(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver resolver,
            Reporter reporter) {
        return new AdmissionHandler(mapper, engine, policy, resolver, reporter);
    }

    /** The audit's informers, one per evaluated kind; none without a Kubernetes API or with the audit disabled. */
    @Produces
    @Singleton
    AuditScanner auditScanner(CustomsConfig config, KubernetesAccess k8s, ObjectMapper mapper, RuleEngine engine,
            Policy policy, ImageResolver resolver, Reporter reporter, Clock clock) {
        boolean on = k8s.available() && !config.audit().interval().isZero();
        return new AuditScanner(() -> on ? auditSources(k8s.client()) : List.of(), mapper, engine, policy, resolver,
                reporter, clock, config.audit().concurrency());
    }

    private static List<AuditScanner.Source> auditSources(KubernetesClient c) {
        List<AuditScanner.Source> sources = new ArrayList<>();
        {
            sources.add(new AuditScanner.Source(WorkloadKind.POD, c.pods().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.DEPLOYMENT,
                    c.apps().deployments().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.REPLICA_SET,
                    c.apps().replicaSets().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.STATEFUL_SET,
                    c.apps().statefulSets().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.DAEMON_SET,
                    c.apps().daemonSets().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.JOB,
                    c.batch().v1().jobs().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.CRON_JOB,
                    c.batch().v1().cronjobs().inAnyNamespace().runnableInformer(0)));
            sources.add(new AuditScanner.Source(WorkloadKind.REPLICATION_CONTROLLER,
                    c.replicationControllers().inAnyNamespace().runnableInformer(0)));
        }
        return sources;
    }

    void closeAuditScanner(@Disposes AuditScanner scanner) {
        scanner.close();
    }

    /**
     * The election of the one replica that runs the audit; started by {@link Lifecycle} only when there is a Kubernetes
     * API and the audit is on. Its identity is the pod's name.
     */
    @Produces
    @Singleton
    LeaderElection auditLeaderElection(CustomsConfig config, KubernetesAccess k8s, AuditScanner audit,
            Recorder recorder) {
        CustomsConfig.LeaderElection le = config.leaderElection();
        LeaderElection.Settings settings = new LeaderElection.Settings(config.releaseNamespace(), le.leaseName(),
                config.podName(), le.leaseDuration(), le.renewDeadline(), le.retryPeriod());
        Duration interval = config.audit().interval();
        return new LeaderElection(k8s::client, settings, () -> {
            recorder.auditLeader(true);
            audit.start();
            audit.schedule(interval);
        }, () -> {
            audit.stop();
            recorder.auditLeader(false);
        });
    }

    void closeLeaderElection(@Disposes LeaderElection election) {
        election.close();
    }
}
