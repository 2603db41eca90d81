package dev.customs.kube;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;

/**
 * Runs a piece of work on exactly one replica: the holder of a {@code coordination.k8s.io} Lease. {@code onStart} runs
 * when this replica becomes the leader, {@code onStop} when it stops being one (it could not renew in time, or it is
 * shutting down); then it campaigns again. On {@link #close()} a leader releases the Lease, so another replica takes
 * over within one retry period instead of waiting for the Lease to expire. A leader that dies without closing is
 * replaced once the Lease expires ({@code leaseDuration}).
 *
 * <p>
 * Needs {@code create} on leases in the namespace, and {@code get} and {@code patch} on the Lease by name (fabric8
 * renews and releases by patch).
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    /**
     * @param namespace the Lease's namespace
     * @param leaseName the Lease's name
     * @param identity this replica's name, written into the Lease as its holder
     * @param leaseDuration how long a Lease holds without renewal
     * @param renewDeadline how long the leader keeps trying to renew before it gives up leadership
     * @param retryPeriod how often to try to acquire or renew
     */
    public record Settings(String namespace, String leaseName, String identity, Duration leaseDuration,
            Duration renewDeadline, Duration retryPeriod) {

        /** Fails on durations that cannot work together, as the client-go leader election does. */
        public Settings {
            if (leaseDuration.compareTo(renewDeadline) <= 0) {
                throw new IllegalArgumentException("leader election: lease-duration (" + leaseDuration
                        + ") must be longer than renew-deadline (" + renewDeadline + ")");
            }
            if (renewDeadline.compareTo(retryPeriod) <= 0) {
                throw new IllegalArgumentException("leader election: renew-deadline (" + renewDeadline
                        + ") must be longer than retry-period (" + retryPeriod + ")");
            }
        }
    }

    private final Supplier<KubernetesClient> client;
    private final Settings settings;
    private final Runnable onStart;
    private final Runnable onStop;
    private final AtomicBoolean leader = new AtomicBoolean();
    private final ScheduledExecutorService retry;
    private volatile boolean closed;
    private LeaderElector elector;
    private CompletableFuture<?> term;

    /** @param client the client, obtained when the election starts (it may be built on first use) */
    public LeaderElection(Supplier<KubernetesClient> client, Settings settings, Runnable onStart, Runnable onStop) {
        this.client = client;
        this.settings = settings;
        this.onStart = onStart;
        this.onStop = onStop;
        this.retry = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "customs-leader-election");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts campaigning; returns at once. */
    public void start() {
        campaign();
    }

    /** Whether this replica holds the Lease now. */
    public boolean leader() {
        return leader.get();
    }

    private synchronized void campaign() {
        if (closed) {
            return;
        }
        elector = client.get().leaderElector()
                .withConfig(new LeaderElectionConfigBuilder().withName(settings.leaseName())
                        .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
                        .withLeaseDuration(settings.leaseDuration()).withRenewDeadline(settings.renewDeadline())
                        .withRetryPeriod(settings.retryPeriod()).withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::observed)).build())
                .build();
        term = elector.start();
        term.whenComplete((v, e) -> {
            if (closed) {
                return;
            }
            if (e != null && !(e instanceof java.util.concurrent.CancellationException)) {
                LOG.warnf("leader election for lease %s/%s ended: %s; campaigning again", settings.namespace(),
                        settings.leaseName(), e.toString());
            }
            retry.schedule(this::campaign, settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private void started() {
        if (leader.compareAndSet(false, true)) {
            LOG.infof("leading: holds lease %s/%s as %s", settings.namespace(), settings.leaseName(),
                    settings.identity());
            onStart.run();
        }
    }

    private void stopped() {
        if (leader.compareAndSet(true, false)) {
            LOG.infof("no longer leading: lease %s/%s", settings.namespace(), settings.leaseName());
            onStop.run();
        }
    }

    private void observed(String holder) {
        if (!holder.equals(settings.identity())) {
            LOG.debugf("lease %s/%s is held by %s", settings.namespace(), settings.leaseName(), holder);
        }
    }

    /** Stops campaigning; a leader stops its work and releases the Lease. */
    @Override
    public void close() {
        CompletableFuture<?> t;
        LeaderElector e;
        synchronized (this) {
            closed = true;
            t = term;
            e = elector;
        }
        retry.shutdownNow();
        boolean wasLeader = leader.get();
        if (t != null) {
            t.cancel(true);
        }
        stopped();
        if (wasLeader && e != null) {
            // Released here, before the client closes, rather than left to the elector's own thread.
            try {
                e.release();
            } catch (RuntimeException ex) {
                LOG.warnf("could not release lease %s/%s: %s; another replica takes over when it expires",
                        settings.namespace(), settings.leaseName(), ex.getMessage());
            }
        }
    }
}
