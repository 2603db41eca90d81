package dev.customs.image.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Registry credentials from a pod's {@code imagePullSecrets} and its service account's, read through the Kubernetes
 * API and cached for {@link #TTL}: one GET per secret or service account per minute at most, however many pods use
 * them, and concurrent lookups of one object share one call. Secrets of type {@code kubernetes.io/dockerconfigjson} and
 * {@code kubernetes.io/dockercfg} are read; anything else, a missing object or an API error counts as no credentials
 * (the error is logged without any secret data).
 */
final class PullSecrets {

    private static final Logger LOG = Logger.getLogger(PullSecrets.class);

    /** How long a secret or service account read from the API is used before it is read again. */
    static final Duration TTL = Duration.ofSeconds(60);

    private record ObjectKey(String namespace, String name) {
    }

    private final Supplier<KubernetesClient> client;
    private final ObjectMapper mapper;
    private final AsyncLoadingCache<ObjectKey, DockerAuths> secrets;
    private final AsyncLoadingCache<ObjectKey, List<String>> serviceAccounts;

    PullSecrets(Supplier<KubernetesClient> client, ObjectMapper mapper, Executor executor, Ticker ticker) {
        this.client = client;
        this.mapper = mapper;
        this.secrets = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).executor(executor)
                .ticker(ticker).buildAsync(this::loadSecret);
        this.serviceAccounts = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).executor(executor)
                .ticker(ticker).buildAsync(this::loadServiceAccount);
    }

    /** The credential sets of the pod's pull secrets, then its service account's, in that order. */
    CompletableFuture<List<DockerAuths>> forPod(String namespace, List<String> podSecrets, String serviceAccount) {
        if (namespace == null || namespace.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        String sa = serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
        CompletableFuture<List<String>> saSecrets = serviceAccounts.get(new ObjectKey(namespace, sa));
        return saSecrets.thenCompose(fromSa -> {
            List<String> names = new ArrayList<>(podSecrets);
            fromSa.stream().filter(n -> !names.contains(n)).forEach(names::add);
            List<CompletableFuture<DockerAuths>> all = names.stream()
                    .map(n -> secrets.get(new ObjectKey(namespace, n))).toList();
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenApply(v -> all.stream().map(CompletableFuture::join).filter(a -> !a.isEmpty()).toList());
        });
    }

    private DockerAuths loadSecret(ObjectKey key) {
        Secret secret;
        try {
            secret = client.get().secrets().inNamespace(key.namespace).withName(key.name).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("pull secret cannot be read: namespace=%s name=%s code=%d", key.namespace, key.name, e.getCode());
            return DockerAuths.EMPTY;
        }
        if (secret == null || secret.getData() == null) {
            LOG.debugf("pull secret not found: namespace=%s name=%s", key.namespace, key.name);
            return DockerAuths.EMPTY;
        }
        Map<String, String> data = secret.getData();
        String encoded = Optional.ofNullable(data.get(".dockerconfigjson")).orElse(data.get(".dockercfg"));
        if (encoded == null) {
            return DockerAuths.EMPTY;
        }
        try {
            return DockerAuths.parse(mapper.readTree(new String(Base64.getDecoder().decode(encoded),
                    StandardCharsets.UTF_8)));
        } catch (Exception e) {
            LOG.warnf("pull secret is not a docker config: namespace=%s name=%s", key.namespace, key.name);
            return DockerAuths.EMPTY;
        }
    }

    private List<String> loadServiceAccount(ObjectKey key) {
        ServiceAccount sa;
        try {
            sa = client.get().serviceAccounts().inNamespace(key.namespace).withName(key.name).get();
        } catch (KubernetesClientException e) {
            LOG.warnf("service account cannot be read: namespace=%s name=%s code=%d", key.namespace, key.name,
                    e.getCode());
            return List.of();
        }
        if (sa == null || sa.getImagePullSecrets() == null) {
            return List.of();
        }
        return sa.getImagePullSecrets().stream().map(LocalObjectReference::getName).filter(n -> n != null)
                .toList();
    }
}
