package dev.customs.config;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.AdmissionHandler;
import dev.customs.admission.AdmissionLoad;
import dev.customs.image.ImageResolver;
import dev.customs.kube.KubernetesAccess;
import dev.customs.kube.LeaderElection;
import dev.customs.kube.NamespaceCache;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Start-up: starts what runs in the background — the namespace label cache (by creating it) and the leader election,
 * whose winner runs the audit — and warms the JIT with built-in reviews, then with registry misses of a built-in
 * image (served by a registry of its own on a loopback port), on a thread of its own. The warm-up is off the path to
 * the first answer: Customs answers (and is ready) as soon as it can, and the warm-up begins only once the first
 * admission request is done, or {@link #WARM_UP_AT_THE_LATEST} after start-up if none came; started at once, it took
 * the CPU (its reviews and the compilations they trigger) that the rest of start-up and the first review need, on the
 * one or two cores a webhook has. A real review that arrives during the warm-up is simply served alongside it. Stopping
 * interrupts it.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);
    /**
     * The first audit of a new leader runs this soon after it wins the Lease (or after one interval, if shorter), once
     * namespaces are known.
     */
    static final Duration FIRST_AUDIT = Duration.ofSeconds(30);

    /** The warm-up's thread, interrupted when Customs stops. */
    private volatile Thread warm;

    void start(@Observes StartupEvent ev, CustomsConfig config, KubernetesAccess k8s, NamespaceCache namespaces,
            LeaderElection auditLeader, ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images,
            AdmissionLoad admission) {
        CompletableFuture<Void> firstDone = admission.firstDone().toCompletableFuture();
        warm = new Thread(() -> {
            if (awaitQuietly(firstDone, WARM_UP_AT_THE_LATEST)) {
                warmUp(mapper, engine, policy, images, WARM_UP_REVIEWS);
                warmUpMisses(images, WARM_UP_MISSES);
            }
        }, "customs-warm-up");
        warm.setDaemon(true);
        warm.setPriority(Thread.MIN_PRIORITY);
        warm.start();
        if (!k8s.available()) {
            LOG.info("no Kubernetes API configured: serving admission; Events are logged, the audit is off");
            return;
        }
        if (config.audit().interval().isZero()) {
            LOG.info("background audit disabled (customs.audit.interval=0)");
            return;
        }
        // one replica runs the audit: the holder of the Lease
        auditLeader.start();
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
     * On shutdown, before the Kubernetes client is closed: a leader stops its audit and releases the Lease, so another
     * replica takes over at once instead of when the Lease expires.
     */
    void stop(@Observes ShutdownEvent ev, LeaderElection auditLeader) {
        Thread w = warm;
        if (w != null) {
            w.interrupt();
        }
        auditLeader.close();
    }

    /** How often the warm-up review runs: enough for the hot paths to be compiled before real traffic counts. */
    static final int WARM_UP_REVIEWS = 50;

    /**
     * How often the warm-up runs what a registry miss runs: once the registry has answered, and then the whole miss,
     * HTTP exchanges included, from Customs' own loopback registry.
     */
    static final int WARM_UP_MISSES = 200;

    /**
     * When the warm-up begins if no admission request came: the apiserver sends the first one only once this replica
     * is ready and in the Service's endpoints, a second or more after it listens.
     */
    static final Duration WARM_UP_AT_THE_LATEST = Duration.ofSeconds(5);

    /**
     * Waits until {@code done} completes or {@code atMost} has passed, whichever is first; false when the wait was
     * interrupted (Customs is stopping).
     */
    static boolean awaitQuietly(CompletableFuture<Void> done, Duration atMost) {
        try {
            done.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // no request yet: go on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    /**
     * Runs the code of a registry miss on the inspector's built-in image, {@code rounds} times ({@link
     * ImageResolver#warmUp}): the admission warm-up's image is never fetched, so it leaves that code cold.
     */
    static void warmUpMisses(ImageResolver images, int rounds) {
        long start = System.nanoTime();
        try {
            images.warmUp(rounds);
            LOG.debugf("warm-up: registry misses (%s rounds asked) in %s ms",
                    Integer.valueOf(rounds), Long.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        } catch (RuntimeException e) {
            LOG.warnf("warm-up of registry misses failed (%s); the first cold reviews may be slow", e.toString());
        }
    }

    /**
     * Runs a violating Deployment through a handler that reports nothing (no Events, no metrics), {@code times} times.
     * Its image is on a loopback port the registry guard refuses, so no registry is contacted.
     */
    static void warmUp(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images, int times) {
        long start = System.nanoTime();
        try (InputStream in = Lifecycle.class.getResourceAsStream("/warm-up/review.json")) {
            byte[] body = in.readAllBytes();
            // nothing of it is reported: no Events, no metrics, and its refused image is no registry error
            AdmissionHandler handler = new AdmissionHandler(mapper, engine, policy, images.unmeasured(),
                    new Reporter(Recorder.NONE, null, false));
            boolean allowed = true;
            for (int i = 0; i < times; i++) {
                allowed = handler.review(body).toCompletableFuture().get(10, TimeUnit.SECONDS).decision().allowed();
            }
            LOG.debugf("warm-up: %s reviews answered allowed=%s in %s ms", Integer.valueOf(times),
                    Boolean.valueOf(allowed), Long.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        } catch (Exception e) {
            LOG.warnf("warm-up review failed (%s); the first admissions may be slow", e.toString());
        }
    }
}
