package dev.customs.image.registry;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the credentials for one image lookup come from. Asked only when a registry demands authentication, so an
 * anonymous registry never causes a Kubernetes API call or a file read.
 */
@FunctionalInterface
interface CredentialSource {

    /** The credentials for {@code repository} on {@code host} ({@code host[:port]} as contacted), if any. */
    CompletableFuture<Optional<Credentials>> lookup(String host, String repository);

    CredentialSource NONE = (host, repository) -> CompletableFuture.completedFuture(Optional.empty());
}
