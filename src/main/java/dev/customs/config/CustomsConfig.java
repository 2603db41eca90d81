package dev.customs.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.customs.policy.Action;
import dev.customs.policy.OnError;
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

    /**
     * The namespace Customs runs in (the Helm chart sets it from the downward API). Exempt by default, so Customs never
     * blocks its own rollout.
     */
    @WithDefault("${POD_NAMESPACE:customs}")
    String releaseNamespace();

    /** The name of this Customs pod, reported as the Events' reportingInstance. */
    @WithDefault("${POD_NAME:${HOSTNAME:customs}}")
    String podName();

    /** One rule's settings. */
    interface RuleConfig {

        /** What a violation does: {@code enforce} (deny), {@code warn}, {@code audit} or {@code off}. */
        @WithDefault("enforce")
        Action action();

        /** {@code docker-socket} only: more host paths to treat as runtime sockets. */
        Optional<List<String>> extraPaths();

        /** {@code oci-labels} only: the label keys every image must carry (replaces the default list). */
        Optional<List<String>> requiredKeys();
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
    }
}
