package dev.customs.admission;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Bounds what Netty itself buffers for one connection while a body arrives, below everything Customs accounts for.
 *
 * <p>
 * Netty's decoders (TLS, then HTTP) collect their input in one buffer per connection, and move what they have decoded
 * out of it only every 16th read. With reads of up to 64 KiB, a body streaming in grows that buffer to 1–2 MiB of
 * direct memory on every connection that sends one: 21 connections sending 3 MiB bodies at once passed the chart's
 * {@code -XX:MaxDirectMemorySize}, and Netty closed them before Customs could answer (the API server then
 * applies failurePolicy). From a connection's first request on, every decoder drops its decoded input after every
 * read, so one connection holds a partial TLS record and one read (at most 64 KiB), in a buffer of at most 256 KiB as
 * it grows by powers of two. The chart's 32 MiB holds at least a hundred bodies streaming in at once; past that Netty
 * closes connections (their clients see a closed connection, the process goes on). The size of a read cannot be
 * changed here: Netty fixes it for a channel at its first read.
 */
final class ConnectionReads {

    private static final Logger LOG = Logger.getLogger(ConnectionReads.class);

    private static final AttributeKey<Boolean> BOUNDED = AttributeKey.valueOf("dev.customs.reads-bounded");
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ConnectionReads() {
    }

    /**
     * Applies the bound to the connection a request came on, once per connection; on the connection's event loop.
     *
     * @return whether the connection is bounded (false only when Vert.x no longer exposes its channel)
     */
    static boolean bound(HttpConnection connection) {
        if (!(connection instanceof ConnectionBase base)) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warnf("cannot bound the read buffers of %s connections: a body streaming in may take up to 2 MiB "
                        + "of direct memory per connection", connection == null ? "null" : connection.getClass());
            }
            return false;
        }
        Channel channel = base.channel();
        if (channel.attr(BOUNDED).setIfAbsent(Boolean.TRUE) != null) {
            return true;
        }
        for (Map.Entry<String, ChannelHandler> handler : channel.pipeline()) {
            if (handler.getValue() instanceof ByteToMessageDecoder decoder) {
                decoder.setDiscardAfterReads(1);
            }
        }
        return true;
    }
}
