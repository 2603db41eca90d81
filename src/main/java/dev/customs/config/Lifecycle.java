package dev.customs.config;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.AdmissionHandler;
import dev.customs.audit.AuditScanner;
import dev.customs.image.ImageResolver;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Start-up: answers one built-in review before the first real one, so the first admission does not pay for class
 * loading (seconds on a cold JVM, against a budget of a few); then starts what runs in the background: the namespace
 * label cache (by creating it) and the audit's informers.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    void start(@Observes StartupEvent ev, CustomsConfig config, KubernetesAccess k8s, NamespaceCache namespaces,
            AuditScanner audit, ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images) {
        warmUp(mapper, engine, policy, images);
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

    /**
     * Says what a SIGTERM (or Ctrl-C in a terminal) does now, so the few seconds before the process exits are not a
     * mystery: readiness is DOWN, admission is still answered for the shutdown delay, then reviews in flight finish.
     */
    void shuttingDown(@Observes ShutdownDelayInitiatedEvent ev) {
        Config c = ConfigProvider.getConfig();
        String timeout = c.getOptionalValue("quarkus.shutdown.timeout", String.class).orElse("the shutdown timeout");
        boolean delayed = c.getOptionalValue("quarkus.shutdown.delay", Duration.class).filter(d -> !d.isZero())
                .isPresent();
        if (delayed) {
            LOG.infof("shutting down: readiness is DOWN and admission is still answered for %s, so the Service can "
                    + "stop sending reviews here (quarkus.shutdown.delay); then reviews in flight finish within %s",
                    c.getValue("quarkus.shutdown.delay", String.class), timeout);
        } else {
            LOG.infof("shutting down: reviews in flight finish within %s", timeout);
        }
    }

    /**
     * Runs a violating Deployment through a handler that reports nothing (no Events, no metrics). Its image is on a
     * loopback port the registry guard refuses, so no registry is contacted.
     */
    static void warmUp(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images) {
        long start = System.nanoTime();
        try (InputStream in = Lifecycle.class.getResourceAsStream("/warm-up/review.json")) {
            byte[] body = in.readAllBytes();
            // nothing of it is reported: no Events, no metrics, and its refused image is no registry error
            AdmissionHandler handler = new AdmissionHandler(mapper, engine, policy, images.unmeasured(),
                    new Reporter(Recorder.NONE, null, false));
            AdmissionHandler.Outcome outcome = handler.review(body).toCompletableFuture().get(10, TimeUnit.SECONDS);
            LOG.debugf("warm-up review answered allowed=%s in %d ms", outcome.decision().allowed(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (Exception e) {
            LOG.warnf("warm-up review failed (%s); the first admission may be slow", e.toString());
        }
    }
}
