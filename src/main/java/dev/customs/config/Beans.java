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
import dev.customs.admission.AdmissionLoad;
import dev.customs.audit.AuditScanner;
import dev.customs.audit.ObjectSource;
import dev.customs.audit.ReportStore;
import dev.customs.image.ImageInspector;
import dev.customs.image.ImageResolver;
import dev.customs.image.layers.LayerScans;
import dev.customs.image.registry.RegistryImageInspector;
import dev.customs.kube.ApiObjectSource;
import dev.customs.kube.ApiReportStore;
import dev.customs.kube.KubeApi;
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
import dev.customs.rules.LatestTag;
import dev.customs.rules.LeakedSecret;
import dev.customs.rules.OciLabels;
import dev.customs.rules.RuleEngine;
import dev.customs.rules.RuleRegistry;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
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
        List<String> moving = rules.containsKey(LatestTag.ID)
                ? rules.get(LatestTag.ID).movingTags().orElse(LatestTag.DEFAULT_MOVING_TAGS)
                : LatestTag.DEFAULT_MOVING_TAGS;
        String maxSize = rules.containsKey(ImageSize.ID) ? rules.get(ImageSize.ID).maxSize().orElse(null) : null;
        return RuleRegistry.withSettings(extra, labels, moving, maxSize);
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

    /**
     * Quarkus binds Netty's executor metrics once per event loop group, and each registers the same tagless gauge
     * {@code netty.eventexecutor.workers}, so every start logs "This Gauge has been already registered"
     * (quarkusio/quarkus#52014). Only the first group's value would be kept anyway; the gauge is left out.
     */
    @Produces
    @Singleton
    MeterFilter nettyWorkersGaugeOnce() {
        return MeterFilter.deny(id -> id.getName().equals("netty.eventexecutor.workers"));
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
        return policy(config, exemptions(config), namespaces, clock, onExpired);
    }

    /** The policy of the configuration with these exemptions ({@code customs check} names its system namespaces). */
    public static Policy policy(CustomsConfig config, List<Exemption> exemptions, NamespaceLabels namespaces,
            Clock clock, Consumer<Exemption> onExpired) {
        Map<String, Action> actions = new LinkedHashMap<>();
        config.rules().forEach((id, rule) -> rule.action().ifPresent(a -> actions.put(id, a)));
        return new Policy(actions, config.registry().onError(), exemptions, namespaces, clock, onExpired);
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
        return exemptions(config, Set.of("kube-system", config.releaseNamespace()));
    }

    /** The exemptions, with the built-in {@code system} one (unless configured) covering these namespaces. */
    public static List<Exemption> exemptions(CustomsConfig config, Set<String> systemNamespaces) {
        List<Exemption> out = new ArrayList<>();
        if (!config.exemptions().containsKey(SYSTEM_EXEMPTION)) {
            out.add(new Exemption(SYSTEM_EXEMPTION, systemNamespaces, List.of(),
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
            Reporter reporter, CustomsConfig config) {
        return new AdmissionHandler(mapper, engine, policy, resolver, reporter, config.admission().maxContainers());
    }

    /** The most bytes one page of an audit list may take; a page that does not fit is asked for again, smaller. */
    static final int AUDIT_MAX_PAGE_BYTES = 16 * 1024 * 1024;

    /**
     * The audit: paginated lists from the API server, reports through it when enabled. Without a Kubernetes API it has
     * nothing to list (and is never scheduled).
     */
    @Produces
    @Singleton
    AuditScanner auditScanner(CustomsConfig config, KubernetesAccess k8s, ObjectMapper mapper, RuleEngine engine,
            Policy policy, ImageResolver resolver, Reporter reporter, Clock clock, AdmissionLoad admissionLoad,
            Vertx vertx) {
        CustomsConfig.Audit audit = config.audit();
        CustomsConfig.Reports reports = config.reports();
        if (audit.pageSize() < 1 || audit.pageSize() > 10_000) {
            throw new IllegalArgumentException("customs.audit.page-size must be between 1 and 10000, not "
                    + audit.pageSize());
        }
        if (reports.maxResults() < 1 || reports.maxResults() > 1000) {
            throw new IllegalArgumentException("customs.reports.max-results must be between 1 and 1000, not "
                    + reports.maxResults());
        }
        ObjectSource source = (kind, sink) -> {
        };
        ReportStore store = null;
        if (k8s.available()) {
            KubeApi api = new KubeApi(k8s::client, mapper, vertx);
            source = new ApiObjectSource(api, mapper, audit.pageSize(), AUDIT_MAX_PAGE_BYTES);
            if (reports.enabled()) {
                store = new ApiReportStore(api, mapper);
            }
        }
        if (audit.maxYield().isNegative()) {
            throw new IllegalArgumentException("customs.audit.max-yield must not be negative, not " + audit.maxYield());
        }
        AuditScanner.Settings settings = new AuditScanner.Settings(audit.concurrency(), audit.objectsPerSecond(),
                audit.imagesPerSecond(), config.registry().tagTtl(), reports.maxResults(),
                reports.enabled() ? reports.formats() : List.of(), audit.maxYield());
        // the audit's registry requests take only the background share of each host's connections
        return new AuditScanner(source, store, mapper, engine, policy, resolver.background(), reporter, clock,
                settings, admissionLoad::busy);
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
            NamespaceCache namespaces, Recorder recorder) {
        CustomsConfig.LeaderElection le = config.leaderElection();
        LeaderElection.Settings settings = new LeaderElection.Settings(config.releaseNamespace(), le.leaseName(),
                config.podName(), le.leaseDuration(), le.renewDeadline(), le.retryPeriod());
        Duration interval = config.audit().interval();
        Duration first = Lifecycle.FIRST_AUDIT.compareTo(interval) < 0 ? Lifecycle.FIRST_AUDIT : interval;
        return new LeaderElection(k8s::client, settings, () -> {
            recorder.auditLeader(true);
            audit.schedule(first, interval, namespaces::synced);
        }, () -> {
            audit.stop();
            recorder.auditLeader(false);
        });
    }

    void closeLeaderElection(@Disposes LeaderElection election) {
        election.close();
    }
}
