package dev.customs.image.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 169.254.0.0/16}, {@code fe80::/10}); a bare address is a single
 * host. Parsing never touches DNS: only address literals are accepted.
 */
record Cidr(byte[] network, int prefix, String text) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(?:\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    /** Parses {@code address[/prefix]}; throws {@link IllegalArgumentException} with a message naming the value. */
    static Cidr parse(String value) {
        String s = value.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("\"" + value + "\" is not a CIDR (expected e.g. 169.254.0.0/16)");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("\"" + value + "\": the prefix length must be 0.." + bits);
            }
        }
        return new Cidr(bytes, prefix, s);
    }

    /** The bytes of an IP address literal, or null when {@code s} is not one (no DNS lookup is ever made). */
    static byte[] literal(String s) {
        String a = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (!IPV4.matcher(a).matches() && !IPV6.matcher(a).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The IPv4 address an IPv6 address carries, or null when it carries none: IPv4-compatible ({@code ::a.b.c.d}),
     * IPv4-mapped ({@code ::ffff:a.b.c.d}), NAT64 ({@code 64:ff9b::a.b.c.d}, RFC 6052) and 6to4
     * ({@code 2002:AABB:CCDD::}, RFC 3056). Traffic to any of them can end up at the IPv4 address (a NAT64 gateway, a
     * 6to4 relay, a dual-stack kernel), so they are judged by it as well as by themselves.
     */
    static byte[] embeddedIpv4(byte[] address) {
        if (address.length != 16) {
            return null;
        }
        boolean zeroTo10 = true;
        for (int i = 0; i < 10; i++) {
            zeroTo10 &= address[i] == 0;
        }
        boolean compatible = zeroTo10 && address[10] == 0 && address[11] == 0;
        boolean mapped = zeroTo10 && address[10] == (byte) 0xff && address[11] == (byte) 0xff;
        boolean nat64 = address[0] == 0 && address[1] == 0x64 && address[2] == (byte) 0xff
                && address[3] == (byte) 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = address[i] == 0;
        }
        if (compatible || mapped || nat64) {
            return Arrays.copyOfRange(address, 12, 16);
        }
        if (address[0] == 0x20 && address[1] == 0x02) {
            return Arrays.copyOfRange(address, 2, 6);
        }
        return null;
    }

    boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
