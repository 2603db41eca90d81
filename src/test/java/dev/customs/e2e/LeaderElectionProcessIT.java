package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Two replicas, one audit: the holder of the chart's Lease runs it, the other waits; when the leader goes, the other
 * takes over within the lease duration, and the audit's gauges and Events never come from both.
 */
@ExtendWith(ClusterExtension.class)
class LeaderElectionProcessIT {

    private static final Logger LOG = Logger.getLogger(LeaderElectionProcessIT.class);
    private static final String NS = "team-audited";
    private static final String LEASE = Cluster.FULLNAME + "-audit";
    /** The e2e values: leaseDuration 8s, retryPeriod 1s, audit interval 3s. */
    private static final Duration LEASE_DURATION = Duration.ofSeconds(8);
    private static Cluster cluster;
    private static KubernetesClient admin;
    private static CustomsInstance a;
    private static CustomsInstance b;
    private static CustomsInstance c;

    @BeforeAll
    static void start(Cluster cl) throws Exception {
        cluster = cl;
        admin = cl.controlPlane().admin();
        // something for the audit to find: a Deployment admitted while its namespace warned
        cl.controlPlane().namespace(NS, Map.of("customs.dev/action", "warn"));
        a = cl.customs("customs-a");
        ControlPlane.Run r = cl.kubectlWithInput(Manifests.deployment("audited", cl.image(Cluster.ROOT_APP), null, 1),
                "apply", "--namespace", NS, "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        b = cl.replica("customs-b");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (CustomsInstance i : new CustomsInstance[] { a, b, c }) {
            if (i != null) {
                i.close();
            }
        }
    }

    private static String holder() {
        Lease l = admin.leases().inNamespace(Cluster.NAMESPACE).withName(LEASE).get();
        return l == null || l.getSpec().getHolderIdentity() == null ? "" : l.getSpec().getHolderIdentity();
    }

    private static double gauge(CustomsInstance i, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(i.scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static boolean auditsHere(CustomsInstance i) {
        return Pattern.compile("^customs_audit_violations\\{namespace=\"" + NS + "\",rule=\"run-as-root\",?} [1-9]",
                Pattern.MULTILINE).matcher(i.scrape()).find();
    }

    private static List<Event> auditEvents() {
        return admin.events().v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "Audited".equals(e.getAction()) && e.getRegarding().getName().equals("audited"))
                .toList();
    }

    @Test
    void oneReplicaAuditsAndTheOtherTakesOverWhenItGoes() throws Exception {
        // exactly one holds the Lease, and only that one exports the audit's figures and posts its Events
        // (a replica of an earlier test class may still hold it until it expires)
        String first = Eventually.get(Duration.ofSeconds(60), "customs-a or customs-b holding the Lease",
                LeaderElectionProcessIT::holder, h -> h.equals(a.name()) || h.equals(b.name()));
        CustomsInstance leader = first.equals(a.name()) ? a : b;
        CustomsInstance follower = leader == a ? b : a;
        Eventually.until(Duration.ofSeconds(30), "the leader's audit gauges", () -> auditsHere(leader));
        assertThat(gauge(leader, "customs_audit_leader")).isEqualTo(1);
        assertThat(gauge(follower, "customs_audit_leader")).isEqualTo(0);
        assertThat(auditsHere(follower)).isFalse();
        assertThat(gauge(follower, "customs_audit_last_run_timestamp_seconds")).isZero();
        Eventually.until(Duration.ofSeconds(30), "an Audited Event", () -> !auditEvents().isEmpty());
        // several audit runs later, still one Event, from the leader alone: the audit posts one when a workload's
        // findings change, not at every run
        Thread.sleep(7_000);
        assertThat(auditEvents()).singleElement().satisfies(e -> {
            assertThat(e.getReportingInstance()).isEqualTo(leader.name());
            assertThat(e.getSeries()).isNull();
        });
        assertThat(follower.log()).doesNotContain("leading: holds lease");

        // the leader crashes (nothing released): the other takes over once the Lease expires
        long crashed = System.nanoTime();
        leader.kill();
        Eventually.get(LEASE_DURATION.plusSeconds(10), "the follower holding the Lease", LeaderElectionProcessIT::holder,
                follower.name()::equals);
        Duration takeover = Duration.ofNanos(System.nanoTime() - crashed);
        LOG.infof("[figure] audit leader takeover after a crash: %d ms (lease duration %d s)", takeover.toMillis(),
                LEASE_DURATION.toSeconds());
        Eventually.until(Duration.ofSeconds(30), "the new leader's audit gauges", () -> auditsHere(follower));
        assertThat(gauge(follower, "customs_audit_leader")).isEqualTo(1);
        // it recognised the findings the old leader reported (the reports' content hashes): no second Event
        assertThat(auditEvents()).singleElement()
                .satisfies(e -> assertThat(e.getReportingInstance()).isEqualTo(leader.name()));

        // a replica that shuts down releases the Lease: the next one takes over without waiting for it to expire
        c = cluster.replica("customs-c");
        follower.stop();
        long stopped = System.nanoTime();
        Eventually.get(LEASE_DURATION, "customs-c holding the Lease", LeaderElectionProcessIT::holder,
                c.name()::equals);
        LOG.infof("[figure] audit leader takeover after a shutdown: %d ms after the old leader exited",
                Duration.ofNanos(System.nanoTime() - stopped).toMillis());
        Eventually.until(Duration.ofSeconds(30), "customs-c's audit gauges", () -> auditsHere(c));
    }
}
