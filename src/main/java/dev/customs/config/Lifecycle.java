package dev.customs.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.customs.audit.AuditScanner;
import io.quarkus.runtime.StartupEvent;

/** Starts what runs in the background: the namespace label cache (by creating it) and the audit's informers. */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    void start(@Observes StartupEvent ev, CustomsConfig config, KubernetesAccess k8s, NamespaceCache namespaces,
            AuditScanner audit) {
        if (!k8s.available()) {
            LOG.info("no Kubernetes API configured: serving admission; Events are logged, the audit is off");
            return;
        }
        if (config.audit().interval().isZero()) {
            LOG.info("background audit disabled (customs.audit.interval=0)");
            return;
        }
        audit.start();
        audit.schedule(config.audit().interval());
    }
}
