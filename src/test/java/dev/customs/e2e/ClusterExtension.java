package dev.customs.e2e;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives end-to-end test classes the one {@link Cluster} of the JVM (control plane, registry, chart installed), made
 * by the first class that asks and closed when the test run ends. Use it with {@code @ExtendWith} and take a
 * {@link Cluster} parameter in {@code @BeforeAll} or a test. When the control plane's binaries cannot be built, every
 * class is skipped and the reason is printed; when they can but the cluster does not come up, the classes fail.
 */
public final class ClusterExtension implements BeforeAllCallback, ParameterResolver {

    private static final Logger LOG = Logger.getLogger(ClusterExtension.class);
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(ClusterExtension.class);

    /** Held in the root store, which closes it when all tests have run. */
    private record Held(Cluster cluster, Throwable failure) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster(context);
    }

    private static Cluster cluster(ExtensionContext context) {
        Binaries.Found found = Binaries.find();
        if (found.binaries() == null) {
            LOG.warnf("[skip] end-to-end tests skipped: %s", found.unavailable());
            Assumptions.abort("the control plane's binaries cannot be built: " + found.unavailable());
        }
        Held held = context.getRoot().getStore(STORE).getOrComputeIfAbsent(Held.class, k -> {
            try {
                return new Held(Cluster.start(found.binaries()), null);
            } catch (Throwable e) {
                return new Held(null, e);
            }
        }, Held.class);
        if (held.failure() != null) {
            throw new IllegalStateException("the end-to-end cluster did not start", held.failure());
        }
        return held.cluster();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Cluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        return cluster(context);
    }
}
