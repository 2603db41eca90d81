package dev.customs.image.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.customs.config.CustomsConfig;
import dev.customs.policy.OnError;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * {@link CustomsConfig.Registry} implemented directly, with the documented defaults, for tests that boot nothing. The
 * two time limits are the exception: tests check what is fetched and decided, not how fast, and a registry on a machine
 * shared with other builds can take seconds to answer; a test about a time limit sets its own.
 */
public final class TestRegistryConfig implements CustomsConfig.Registry {

    public OnError onError = OnError.WARN;
    public Duration budget = Duration.ofSeconds(12);
    public Duration requestTimeout = Duration.ofSeconds(10);
    public final List<String> insecureRegistries = new ArrayList<>();
    public final Map<String, String> mirrors = new LinkedHashMap<>();
    public Path caFile;
    public Path authFile;
    public boolean usePullSecrets;
    public List<String> platforms;
    public List<String> blockedNetworks = List.of("169.254.0.0/16", "fe80::/10", "127.0.0.0/8", "::1/128", "0.0.0.0/8",
            "::/128", "100.100.100.200/32", "fd00:ec2::254/128");
    public final List<String> allowedHosts = new ArrayList<>();
    public Duration tagTtl = Duration.ofMinutes(5);
    public Duration maxStale = Duration.ofHours(24);
    public Duration negativeTtl = Duration.ofSeconds(30);
    public int cacheSize = 10_000;
    public MemorySize cacheMemory = new MemorySize(java.math.BigInteger.valueOf(64L << 20));

    @Override
    public OnError onError() {
        return onError;
    }

    @Override
    public Duration budget() {
        return budget;
    }

    @Override
    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public Optional<List<String>> insecureRegistries() {
        return insecureRegistries.isEmpty() ? Optional.empty() : Optional.of(insecureRegistries);
    }

    @Override
    public Map<String, String> mirrors() {
        return mirrors;
    }

    @Override
    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    @Override
    public Optional<Path> authFile() {
        return Optional.ofNullable(authFile);
    }

    @Override
    public boolean usePullSecrets() {
        return usePullSecrets;
    }

    @Override
    public Optional<List<String>> platforms() {
        return Optional.ofNullable(platforms);
    }

    @Override
    public List<String> blockedNetworks() {
        return blockedNetworks;
    }

    @Override
    public Optional<List<String>> allowedHosts() {
        return allowedHosts.isEmpty() ? Optional.empty() : Optional.of(allowedHosts);
    }

    @Override
    public Duration tagTtl() {
        return tagTtl;
    }

    @Override
    public Duration maxStale() {
        return maxStale;
    }

    @Override
    public Duration negativeTtl() {
        return negativeTtl;
    }

    @Override
    public int cacheSize() {
        return cacheSize;
    }

    @Override
    public MemorySize cacheMemory() {
        return cacheMemory;
    }
}
