package dev.customs.image.registry;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
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
 *
 * <p>
 * An IPv6 address that carries an IPv4 address (IPv4-compatible, IPv4-mapped, NAT64, 6to4) is judged by both. A host
 * that is not a valid host name, or that is numeric without being a dotted-quad IPv4 address ({@code 127.1},
 * {@code 0177.0.0.1}, {@code 0x7f.1}, {@code 2130706433}: resolvers disagree on what they mean), is refused with a
 * reason that says so.
 */
final class AddressGuard {

    /** Cloud metadata names, refused before any DNS lookup. */
    static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal");

    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern NUMERIC = Pattern.compile("[0-9]+|0x[0-9a-f]*");
    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern DOTTED_QUAD = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");

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
        String unusable = unusable(name);
        if (unusable != null) {
            return CompletableFuture.failedFuture(refused(host, unusable));
        }
        if (METADATA_HOSTS.contains(name)) {
            return CompletableFuture.failedFuture(refused(host, "it is a cloud metadata host"));
        }
        boolean loopbackAllowed = exempt.contains(name) || exempt.contains(name + ":" + port);
        byte[] literal = Cidr.literal(name);
        if (literal != null) {
            try {
                InetAddress a = InetAddress.getByAddress(literal);
                return CompletableFuture.completedFuture(allowed(host, a, loopbackAllowed, false));
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
                allowed(host, a, loopbackAllowed, true);
            }
            return all[0];
        }, executor);
    }

    /** The refusal for a URI whose authority {@link java.net.URI} could not read as {@code host[:port]}. */
    static RegistryFailure unparsable(String authority) {
        String a = authority == null ? "" : authority;
        int at = a.lastIndexOf('@');
        String hostPort = at < 0 ? a : a.substring(at + 1); // never repeat userinfo: it may hold a password
        String host = hostPort;
        int colon = hostPort.lastIndexOf(':');
        if (!hostPort.startsWith("[") && colon >= 0 && hostPort.substring(colon + 1).matches("[0-9]*")) {
            host = hostPort.substring(0, colon);
        }
        String why = unusable(normalizeHost(host));
        return refused(host, why == null ? "it is not a valid host name" : why);
    }

    /**
     * Why a host (normalised) cannot be contacted as written, or null: an invalid IPv6 literal, a host name with an
     * invalid label, or a numeric host that is not a dotted quad. {@code java.net.URI} reads none of these as a host,
     * and for the numeric ones resolvers disagree: {@code InetAddress} reads {@code 0177.0.0.1} as 177.0.0.1,
     * {@code inet_aton} as 127.0.0.1.
     */
    static String unusable(String host) {
        if (host.isEmpty()) {
            return "the host is empty";
        }
        if (host.contains(":")) {
            return Cidr.literal(host) == null ? "it is not a valid IPv6 address" : null;
        }
        if (host.length() > 253) {
            return "the host name is longer than 253 characters";
        }
        String[] labels = host.split("\\.", -1);
        if (NUMERIC.matcher(labels[labels.length - 1]).matches()) {
            if (DOTTED_QUAD.matcher(host).matches()) {
                return null;
            }
            String read = inetAton(labels);
            return "a numeric host must be a dotted-quad IPv4 address (a.b.c.d, no leading zeros)"
                    + (read == null ? "" : "; resolvers may read this one as " + read);
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return "it is not a valid host name";
            }
        }
        return null;
    }

    /** The address the C library's {@code inet_aton} makes of a numeric host, or null when it makes none. */
    private static String inetAton(String[] parts) {
        if (parts.length > 4) {
            return null;
        }
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            try {
                if (p.startsWith("0x")) {
                    v[i] = p.length() == 2 ? 0 : Long.parseLong(p.substring(2), 16);
                } else if (p.length() > 1 && p.startsWith("0")) {
                    v[i] = Long.parseLong(p.substring(1), 8);
                } else {
                    v[i] = Long.parseLong(p);
                }
            } catch (NumberFormatException e) {
                return null; // 08, or too long for a long
            }
        }
        long value = 0;
        for (int i = 0; i < v.length - 1; i++) {
            if (v[i] > 255) {
                return null;
            }
            value |= v[i] << (24 - 8 * i);
        }
        long last = v[v.length - 1];
        if (last >= 1L << (8 * (5 - v.length))) {
            return null;
        }
        value |= last;
        return (value >> 24 & 255) + "." + (value >> 16 & 255) + "." + (value >> 8 & 255) + "." + (value & 255);
    }

    /** {@code a} when it may be contacted; {@code resolved}: whether it came from DNS (and is named in the reason). */
    private InetAddress allowed(String host, InetAddress a, boolean loopbackAllowed, boolean resolved) {
        String resolves = resolved ? "it resolves to " + a.getHostAddress() + ", "
                : a instanceof Inet4Address && normalizeHost(host).contains(":")
                        ? "it is the IPv4 address " + a.getHostAddress() + ", " // ::ffff:a.b.c.d
                        : "";
        for (Cidr c : blocked) {
            if (c.contains(a) && !(loopbackAllowed && a.isLoopbackAddress())) {
                throw refused(host, resolves + "in blocked network " + c + (a.isLoopbackAddress()
                        ? " (list it in customs.registry.insecure-registries or allowed-hosts to allow it)"
                        : ""));
            }
        }
        byte[] embedded = Cidr.embeddedIpv4(a.getAddress());
        if (embedded != null) {
            InetAddress v4;
            try {
                v4 = InetAddress.getByAddress(embedded);
            } catch (UnknownHostException e) {
                throw refused(host, "bad address");
            }
            for (Cidr c : blocked) {
                if (c.contains(v4)) {
                    throw refused(host, resolves + "which carries the IPv4 address " + v4.getHostAddress()
                            + ", in blocked network " + c);
                }
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
