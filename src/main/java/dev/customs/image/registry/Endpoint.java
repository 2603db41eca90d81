package dev.customs.image.registry;

import java.net.URI;

/**
 * A registry host as contacted: scheme and authority ({@code host[:port]}). Docker Hub is contacted at
 * {@code registry-1.docker.io}.
 */
record Endpoint(String scheme, String authority) {

    /** {@code https://<authority>}, or {@code http://} when the authority is listed insecure. */
    static Endpoint of(String authority, boolean insecure) {
        String a = authority.strip();
        if (a.startsWith("http://")) {
            return new Endpoint("http", trim(a.substring(7)));
        }
        if (a.startsWith("https://")) {
            return new Endpoint("https", trim(a.substring(8)));
        }
        return new Endpoint(insecure ? "http" : "https", trim(a));
    }

    private static String trim(String a) {
        int slash = a.indexOf('/');
        return slash < 0 ? a : a.substring(0, slash);
    }

    URI uri(String path) {
        try {
            return URI.create(scheme + "://" + authority + path);
        } catch (IllegalArgumentException e) {
            throw AddressGuard.unparsable(authority);
        }
    }

    @Override
    public String toString() {
        return authority;
    }
}
