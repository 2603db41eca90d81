package dev.customs.image.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Resolves a host name to its addresses; blocking. The JVM's resolver in production, a map in tests. */
@FunctionalInterface
interface HostResolver {

    InetAddress[] resolve(String host) throws UnknownHostException;

    HostResolver SYSTEM = InetAddress::getAllByName;
}
