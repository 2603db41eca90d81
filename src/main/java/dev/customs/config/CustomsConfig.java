package dev.customs.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.customs.image.layers.LayerScans;
import dev.customs.policy.Action;
import dev.customs.policy.OnError;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Customs' configuration, prefix {@code customs}. Every key is public API and documented in the README and the Helm
 * chart's values.
 */
@ConfigMapping(prefix = "customs")
public interface CustomsConfig {

    /**
     * Per-rule settings, keyed by rule id: {@code customs.rules."run-as-root".action=warn}. An id that is not a rule
     * fails start-up.
     */
    Map<String, RuleConfig> rules();

    /** How much one admission request, and all of them together, may cost. */
    Admission admission();

    /** Registry access. */
    Registry registry();

    /**
     * Named exemptions: {@code customs.exemptions."<name>".namespaces=kube-system}. A finding matching any active
     * exemption is not acted on, but still counted as exempted.
     */
    Map<String, ExemptionConfig> exemptions();

    /** Prometheus metrics. */
    Metrics metrics();

    /** Kubernetes Events. */
    Events events();

    /** The background audit of existing workloads. */
    Audit audit();

    /** The reports the background audit writes. */
    Reports reports();

    /** Which replica runs the background audit. */
    LeaderElection leaderElection();

    /**
     * The namespace Customs runs in (the Helm chart sets it from the downward API). Exempt by default, so Customs never
     * blocks its own rollout.
     */
    @WithDefault("${POD_NAMESPACE:customs}")
    String releaseNamespace();

    /** The name of this Customs pod, reported as the Events' reportingInstance. */
    @WithDefault("${POD_NAME:${HOSTNAME:customs}}")
    String podName();

    /** Limits of the admission endpoint. */
    interface Admission {

        /**
         * The memory the admission reviews in flight may take together, estimated from above: a body its bytes while
         * it arrives, then its parsed form (its bytes and 128 per JSON token of its tree, charged while the tree is
         * built) until the answer is written. A review that would exceed it is answered 429 (the API server applies the
         * webhook's failurePolicy), so a flood of large, stalled or token-dense bodies cannot exhaust the heap. One
         * review always fits when nothing else is in
         * flight; one whose estimate passes a quarter of this is charged half of it, one at a time, so the others
         * always keep half.
         */
        @WithDefault("64M")
        MemorySize maxBytesInFlight();

        /**
         * The longest a request body may take to arrive, from its headers to its last byte. The API server sends a
         * review in one go; a body still incomplete after this is answered 408 and its connection closed.
         */
        @WithDefault("10s")
        Duration bodyTimeout();

        /**
         * The most containers (init, regular and ephemeral together) an object may have for Customs to evaluate it.
         * An object with more is denied with a message that says so, unless no rule applies to it: a check that
         * skipped the containers past the limit could be bypassed by padding a pod.
         */
        @WithDefault("256")
        int maxContainers();
    }

    /** One rule's settings. */
    interface RuleConfig {

        /**
         * What a violation does: {@code enforce} (deny), {@code warn}, {@code audit} or {@code off}. Unset: the rule's
         * default, {@code enforce}, but {@code warn} for {@code image-size} and {@code base-image}.
         */
        Optional<Action> action();

        /** {@code docker-socket} only: more host paths to treat as runtime sockets. */
        Optional<List<String>> extraPaths();

        /** {@code oci-labels} only: the label keys every image must carry (replaces the default list). */
        Optional<List<String>> requiredKeys();

        /**
         * {@code latest-tag} only: the tags that move, exact or with {@code *} ({@code nightly-*}); replaces the
         * default, {@code latest}, so keep it in the list. A reference without tag or digest always fails.
         */
        Optional<List<String>> movingTags();

        /**
         * {@code image-size} only: the largest compressed image size that passes ({@code 500MB}, {@code 1.5GB},
         * {@code 800MiB}; MB and GB are powers of 1000, MiB and GiB of 1024). Unset: the rule is off.
         */
        Optional<String> maxSize();

        /**
         * {@code leaked-secret} only: when image layers are scanned for secret files. {@code background} (default): a
         * review uses cached layer verdicts and schedules unseen layers for a background scan; {@code admission}:
         * unseen layers are scanned within the budget, and an unfinished scan makes the image unverified;
         * {@code off}: layers are not read.
         */
        Optional<LayerScans.Mode> layers();

        /** {@code leaked-secret} only: the most uncompressed tar bytes one layer scan reads (default 1G). */
        Optional<MemorySize> layerMaxBytes();

        /** {@code leaked-secret} only: the most compressed layer bytes all scans together read per second (64M). */
        Optional<MemorySize> layerRate();

        /** {@code leaked-secret} only: how many layers are scanned at once (default 2). */
        Optional<Integer> layerConcurrency();
    }

    /** One exemption. Every list that is set must match (namespaces AND images AND users/groups); unset lists match all. */
    interface ExemptionConfig {

        /** Set to false to switch an exemption off, such as the default {@code system} exemption. */
        @WithDefault("true")
        boolean enabled();

        /** Namespaces the exemption covers. */
        Optional<List<String>> namespaces();

        /**
         * Image patterns matched on the normalised reference, {@code *} matching any characters:
         * {@code docker.io/library/busybox:*}, {@code registry.k8s.io/pause@sha256:*}. Applies to findings about an image.
         */
        Optional<List<String>> images();

        /** Requesting users (request.userInfo.username). */
        Optional<List<String>> users();

        /** Requesting groups (request.userInfo.groups); any one matches. */
        Optional<List<String>> groups();

        /** The rules it covers; all rules when unset. */
        Optional<List<String>> rules();

        /** Why the exemption exists; shown in logs when it expires. */
        @WithDefault("no reason given")
        String reason();

        /** The last day the exemption applies (ISO date, UTC); it never expires when unset. */
        Optional<java.time.LocalDate> expires();
    }

    /** Metrics settings. */
    interface Metrics {

        /**
         * Adds a {@code namespace} label to {@code customs_violations_total}. Off by default: a label per namespace
         * multiplies series on large clusters.
         */
        @WithDefault("false")
        boolean namespaceLabel();
    }

    /** Event settings. */
    interface Events {

        /** Whether violations are posted as Kubernetes Events at all. */
        @WithDefault("true")
        boolean enabled();

        /** Events waiting to be posted; when full, new ones are dropped and counted. */
        @WithDefault("1000")
        int queueSize();

        /** Identical events within this window update one Event's series instead of creating another. */
        @WithDefault("10m")
        Duration aggregationWindow();
    }

    /** Background audit settings. */
    interface Audit {

        /** How often existing workloads and standalone pods are evaluated; {@code 0} disables the audit. */
        @WithDefault("10m")
        Duration interval();

        /** Whether audit findings are also posted as Events (admission findings always are). */
        @WithDefault("false")
        boolean events();

        /** Images resolved at once during an audit, so a large cluster never floods a registry. */
        @WithDefault("4")
        int concurrency();

        /**
         * Objects asked for per list request ({@code limit}); the audit holds one page in memory. Pods, ReplicaSets
         * and Jobs are listed as metadata only, and only those no controller owns are read in full.
         */
        @WithDefault("500")
        int pageSize();

        /**
         * Objects evaluated per second at most, so an audit of a large cluster is spread over time rather than
         * competing with admission for the CPU; {@code 0} for no limit.
         */
        @WithDefault("250")
        double objectsPerSecond();

        /**
         * Images per second the audit may resolve that it has not resolved within {@code customs.registry.tag-ttl}
         * (so that they may need registry requests); {@code 0} for no limit. Admission's own resolutions are never
         * held back.
         */
        @WithDefault("10")
        double imagesPerSecond();

        /**
         * The longest one step of the audit (a list page, an object, an image it has not resolved recently) waits
         * while admission requests are in flight, so the audit steps aside for admission; under a constant admission
         * stream it still advances one step per {@code max-yield}. {@code 0} never waits.
         */
        @WithDefault("100ms")
        Duration maxYield();
    }

    /** The reports the audit writes: one per workload, and per pod that no workload owns. */
    interface Reports {

        /** Whether the audit writes reports at all. */
        @WithDefault("true")
        boolean enabled();

        /**
         * The report APIs to write: {@code openreports} ({@code openreports.io/v1alpha1} Report) and/or
         * {@code wgpolicyk8s} ({@code wgpolicyk8s.io/v1alpha2} PolicyReport).
         */
        @WithDefault("openreports")
        List<dev.customs.reports.ReportFormat> formats();

        /**
         * The most results one report keeps; the summary still counts all, and the annotation
         * {@code customs.dev/results-omitted} says how many were left out.
         */
        @WithDefault("100")
        int maxResults();
    }

    /**
     * The election of the one replica that runs the background audit: the holder of a {@code coordination.k8s.io}
     * Lease in the release namespace.
     */
    interface LeaderElection {

        /** The Lease's name (the Helm chart sets {@code <fullname>-audit} and grants access to it alone). */
        @WithDefault("customs-audit")
        String leaseName();

        /** How long the Lease holds without renewal: how long a crashed leader leaves the audit undone. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** How long the leader keeps trying to renew before it stops; shorter than the lease duration. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often replicas try to acquire or renew the Lease; shorter than the renew deadline. */
        @WithDefault("2s")
        Duration retryPeriod();
    }

    /** How images are fetched and what happens when they cannot be. */
    interface Registry {

        /**
         * What an image that cannot be inspected does to image-dependent rules: {@code allow}, {@code warn} (an
         * {@code [image-unverified]} warning) or {@code deny}.
         */
        @WithDefault("warn")
        OnError onError();

        /** The time all of one review's image resolution may take; the answer is never held up beyond it. */
        @WithDefault("3s")
        Duration budget();

        /**
         * The longest one HTTP request to a registry (or its token endpoint) may take, connect to last byte. A slow
         * registry is cut off here even after the budget has answered the apiserver, so it cannot hold connections.
         */
        @WithDefault("2s")
        Duration requestTimeout();

        /**
         * Registries spoken to over plain HTTP, as {@code host} or {@code host:port} ({@code localhost:5000}). A listed
         * host may also be on a loopback address.
         */
        Optional<List<String>> insecureRegistries();

        /**
         * Mirrors, as containerd uses them: {@code mirrors."docker.io"=mirror.example.com} fetches Docker Hub images
         * from the mirror first and falls back to the registry itself when the mirror fails. Keys are registry hosts
         * as they appear in image references ({@code docker.io} for Docker Hub); values are {@code host[:port]}.
         */
        Map<String, String> mirrors();

        /** A PEM file of CA certificates trusted for registries in addition to the JVM's default ones. */
        Optional<Path> caFile();

        /**
         * A docker {@code config.json} ({@code {"auths": {"<host>": {"auth": "..."}}}}) with registry credentials,
         * usually mounted from a {@code kubernetes.io/dockerconfigjson} Secret. Re-read when it changes.
         */
        Optional<Path> authFile();

        /**
         * Also use the pod's {@code imagePullSecrets} and those of its service account, read from the Kubernetes API
         * and cached for a minute. Needs RBAC to get secrets and service accounts.
         */
        @WithDefault("false")
        boolean usePullSecrets();

        /**
         * The platforms to evaluate, as {@code os/arch[/variant]} ({@code linux/amd64}), when a pod does not constrain
         * {@code kubernetes.io/arch}. Unset: every Linux platform of the image. An image that has none of them is
         * evaluated on all its Linux platforms instead.
         */
        Optional<List<String>> platforms();

        /**
         * Networks, as CIDRs, that a registry, token endpoint or redirect must never be contacted on: link-local and
         * cloud metadata addresses, loopback and the unspecified address. Host names are resolved and every address
         * checked. Known metadata host names ({@code metadata.google.internal}, ...) are refused by name.
         */
        @WithDefault("169.254.0.0/16,fe80::/10,127.0.0.0/8,::1/128,0.0.0.0/8,::/128,100.100.100.200/32,fd00:ec2::254/128")
        List<String> blockedNetworks();

        /**
         * Hosts, {@code host} or {@code host:port}, that may be on a loopback address in spite of
         * {@code blocked-networks} (a registry on the node itself). Insecure registries are allowed too. Link-local and
         * metadata addresses stay refused.
         */
        Optional<List<String>> allowedHosts();

        /** How long a tag's digest is trusted before it is checked again with a {@code HEAD} request. */
        @WithDefault("5m")
        Duration tagTtl();

        /**
         * How long after its last successful check a tag's digest keeps serving when the registry fails
         * (stale-if-error).
         */
        @WithDefault("24h")
        Duration maxStale();

        /** How long a failed resolution is remembered, so a broken image does not hit the registry on every request. */
        @WithDefault("30s")
        Duration negativeTtl();

        /** The most manifests, and separately the most image configs, kept in memory (least recently used go first). */
        @WithDefault("10000")
        int cacheSize();

        /**
         * The most memory the cached manifests, image configs and resolved images may take, estimated from above: a
         * quarter for manifests, a quarter for configs, half for resolved images (least recently used go first).
         * Within it, each cache still keeps at most {@code cache-size} entries.
         */
        @WithDefault("64M")
        MemorySize cacheMemory();
    }
}
