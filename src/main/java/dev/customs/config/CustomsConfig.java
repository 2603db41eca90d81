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
