package dev.customs.report;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

/** Logs Events instead of posting them, for runs without a Kubernetes API. */
public final class LogEventSink implements EventSink {

    private static final Logger LOG = Logger.getLogger("dev.customs.events");
    private final AtomicLong ids = new AtomicLong();

    @Override
    public String create(ViolationReport r, Instant now) {
        String name = "local-" + ids.incrementAndGet();
        LOG.infof("event action=%s kind=%s namespace=%s name=%s rules=%s note=%s", r.action(), r.regarding().getKind(),
                r.regarding().getNamespace(), r.regarding().getName(), String.join(",", r.rules()),
                String.join(" | ", r.lines()));
        return name;
    }

    @Override
    public void addToSeries(String namespace, String eventName, int count, Instant now) {
        LOG.debugf("event %s repeated, count=%d", eventName, count);
    }
}
