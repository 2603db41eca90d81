package dev.customs.config;

import java.io.InputStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.customs.admission.AdmissionHandler;
import dev.customs.image.ImageResolver;
import dev.customs.kube.KubernetesAccess;
import dev.customs.kube.LeaderElection;
import dev.customs.kube.NamespaceCache;
import dev.customs.policy.Policy;
import dev.customs.report.Recorder;
import dev.customs.report.Reporter;
import dev.customs.rules.RuleEngine;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.api.model.ReplicationControllerList;
import io.fabric8.kubernetes.api.model.apps.DaemonSetList;
import io.fabric8.kubernetes.api.model.apps.DeploymentList;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetList;
import io.fabric8.kubernetes.api.model.apps.StatefulSetList;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobList;
import io.fabric8.kubernetes.api.model.batch.v1.JobList;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Start-up: starts what runs in the background — the namespace label cache (by creating it) and the leader election,
 * whose winner runs the audit — and warms the JIT with built-in reviews on a thread of its own. The warm-up is off the
 * path to readiness: Customs answers (and is ready) as soon as it can, and a real review that arrives during the
 * warm-up is simply served alongside it.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);

    void start(@Observes StartupEvent ev, CustomsConfig config, KubernetesAccess k8s, NamespaceCache namespaces,
            LeaderElection auditLeader, ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images) {
        Thread warm = new Thread(() -> warmUp(mapper, engine, policy, images, WARM_UP_REVIEWS), "customs-warm-up");
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
        prepareModelReaders(k8s);
        // one replica runs the audit: the holder of the Lease
        auditLeader.start();
    }

    /**
     * On shutdown, before the Kubernetes client is closed: a leader stops its audit and releases the Lease, so another
     * replica takes over at once instead of when the Lease expires.
     */
    void stop(@Observes ShutdownEvent ev, LeaderElection auditLeader) {
        auditLeader.close();
    }

    /** The list kinds the audit's informers read. */
    private static final List<Class<?>> AUDITED_LISTS = List.of(PodList.class, DeploymentList.class,
            ReplicaSetList.class, StatefulSetList.class, DaemonSetList.class, JobList.class, CronJobList.class,
            ReplicationControllerList.class);

    /**
     * Builds the client's readers for the lists the audit's informers fetch, here rather than on the client's event
     * loop: the first read of a kind introspects its whole model (a pod spec is dozens of classes), which on a busy
     * node held the event loop long enough for the informers' first lists to time out. Admission never binds the
     * model, so nothing else builds them first.
     */
    static void prepareModelReaders(KubernetesAccess k8s) {
        long start = System.nanoTime();
        try {
            var serialization = k8s.client().getKubernetesSerialization();
            for (Class<?> list : AUDITED_LISTS) {
                serialization.unmarshal("{}", list);
            }
            LOG.debugf("model readers prepared in %s ms",
                    Long.valueOf(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        } catch (RuntimeException e) {
            LOG.debugf("model readers not prepared: %s", e.toString());
        }
    }

    /** How often the warm-up review runs: enough for the hot paths to be compiled before real traffic counts. */
    static final int WARM_UP_REVIEWS = 50;

    /**
     * Runs a violating Deployment through a handler that reports nothing (no Events, no metrics), {@code times} times.
     * Its image is on a loopback port the registry guard refuses, so no registry is contacted.
     */
    static void warmUp(ObjectMapper mapper, RuleEngine engine, Policy policy, ImageResolver images, int times) {
        long start = System.nanoTime();
        try (InputStream in = Lifecycle.class.getResourceAsStream("/warm-up/review.json")) {
            byte[] body = in.readAllBytes();
            AdmissionHandler handler = new AdmissionHandler(mapper, engine, policy, images,
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
