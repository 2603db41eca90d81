package dev.customs.image.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import dev.customs.image.registry.RegistryFailure.Kind;

/**
 * Decides whether a host may be contacted, and on which address. An image reference is written by whoever can create a
 * pod, so it must not make Customs reach cloud metadata services, link-local or loopback services on its behalf.
 *
 * <p>
 * Known metadata host names are refused by name. Every other host is resolved (on the given executor, never on the
 * caller's thread) and refused when <em>any</em> of its addresses lies in a blocked network; the caller then connects
 * to the address checked here, so a DNS answer that changes between check and connect (rebinding) cannot slip through.
 * Hosts listed as insecure or allowed may be on loopback addresses; nothing exempts a link-local or metadata address
 * except removing its network from the blocked list.
 */
final class AddressGuard {

    /** Cloud metadata names, refused before any DNS lookup. */
    static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal");

    private final List<Cidr> blocked;
    private final Set<String> exempt;
    private final HostResolver resolver;
    private final Executor executor;

    /**
     * @param blocked the networks never to contact
     * @param exempt {@code host} or {@code host:port} entries allowed on loopback addresses
     */
    AddressGuard(Collection<String> blocked, Collection<String> exempt, HostResolver resolver, Executor executor) {
        this.blocked = blocked.stream().map(Cidr::parse).toList();
        this.exempt = exempt.stream().map(AddressGuard::normalizeHost).collect(Collectors.toUnmodifiableSet());
        this.resolver = resolver;
        this.executor = executor;
    }

    /** The address to connect to for {@code host}, or a {@link Kind#REFUSED} failure that says why not. */
    CompletableFuture<InetAddress> check(String host, int port) {
        String name = normalizeHost(host);
        if (METADATA_HOSTS.contains(name)) {
            return CompletableFuture.failedFuture(refused(host, "it is a cloud metadata host"));
        }
        boolean loopbackAllowed = exempt.contains(name) || exempt.contains(name + ":" + port);
        byte[] literal = Cidr.literal(name);
        if (literal != null) {
            try {
                InetAddress a = InetAddress.getByAddress(literal);
                return CompletableFuture.completedFuture(allowed(host, a, loopbackAllowed));
            } catch (UnknownHostException | RegistryFailure e) {
                return CompletableFuture.failedFuture(e instanceof RegistryFailure f ? f : refused(host, "bad address"));
            }
        }
        return CompletableFuture.supplyAsync(() -> {
            InetAddress[] all;
            try {
                all = resolver.resolve(name);
            } catch (UnknownHostException e) {
                throw new RegistryFailure(Kind.UNAVAILABLE, "cannot resolve registry host " + host);
            }
            if (all.length == 0) {
                throw new RegistryFailure(Kind.UNAVAILABLE, "cannot resolve registry host " + host);
            }
            for (InetAddress a : all) {
                allowed(host, a, loopbackAllowed);
            }
            return all[0];
        }, executor);
    }

    private InetAddress allowed(String host, InetAddress a, boolean loopbackAllowed) {
        for (Cidr c : blocked) {
            if (c.contains(a) && !(loopbackAllowed && a.isLoopbackAddress())) {
                String literal = a.getHostAddress();
                throw refused(host, (literal.equals(host) ? "" : "it resolves to " + literal + ", ")
                        + "in blocked network " + c + (a.isLoopbackAddress()
                                ? " (list it in customs.registry.insecure-registries or allowed-hosts to allow it)"
                                : ""));
            }
        }
        return a;
    }

    private static RegistryFailure refused(String host, String why) {
        return new RegistryFailure(Kind.REFUSED, "refused to contact " + host + ": " + why);
    }

    /** Lower case, no trailing dot, no IPv6 brackets. */
    static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT).strip();
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.startsWith("[") && h.contains("]")) {
            int end = h.indexOf(']');
            h = h.substring(1, end) + h.substring(end + 1);
        }
        return h;
    }
}
