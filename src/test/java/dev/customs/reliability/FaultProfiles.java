package dev.customs.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.customs.image.registry.RegistryTestResource;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The Quarkus profiles of the reliability suite: a real registry behind the fault-injecting proxy, with short timings so
 * faults show within seconds, and one profile per {@code customs.registry.on-error}. Each profile is one boot of
 * Customs (about 5 s on a 2-core machine); the test class orderer runs the classes of one profile together.
 */
final class FaultProfiles {

    /** All of one review's image resolution; the hang must be cut here. */
    static final Duration BUDGET = Duration.ofSeconds(1);
    /**
     * Longer than the budget, so a hanging registry is cut by the budget and not by the request timeout: the budget is
     * what the apiserver sees.
     */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    /** Short, so a tag is checked again (HEAD) during a load test and a registry fault reaches cached images too. */
    static final Duration TAG_TTL = Duration.ofSeconds(1);
    /** Short, so an outage outlasts stale-if-error within a few seconds and images become unverified. */
    static final Duration MAX_STALE = Duration.ofSeconds(3);
    /** Short, so a recovered registry is used again within seconds. */
    static final Duration NEGATIVE_TTL = Duration.ofSeconds(2);

    private FaultProfiles() {
    }

    abstract static class Base implements QuarkusTestProfile {

        abstract String onError();

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("customs.registry.on-error", onError(), "customs.registry.budget", BUDGET.toMillis() + "ms",
                    "customs.registry.request-timeout", REQUEST_TIMEOUT.toMillis() + "ms", "customs.registry.tag-ttl",
                    TAG_TTL.toMillis() + "ms", "customs.registry.max-stale", MAX_STALE.toMillis() + "ms",
                    "customs.registry.negative-ttl", NEGATIVE_TTL.toMillis() + "ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RegistryTestResource.class, Map.of("auth", "NONE")));
        }
    }

    public static class Allow extends Base {
        @Override
        String onError() {
            return "allow";
        }
    }

    public static class Warn extends Base {
        @Override
        String onError() {
            return "warn";
        }
    }

    public static class Deny extends Base {
        @Override
        String onError() {
            return "deny";
        }
    }
}
