package dev.customs.admission;

import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;

/**
 * Serves a renewed admission certificate without a restart: every minute, when the content of the mounted certificate
 * or key has changed (cert-manager renewed it, {@code helm upgrade} replaced it, the kubelet swapped the Secret
 * volume), reloads the TLS configuration {@value #CONFIGURATION} and hands it to the HTTPS server.
 *
 * <p>
 * Quarkus' own {@code quarkus.tls.<name>.reload-period} swaps the server's SSL context every period whether or not the
 * files changed, and a handshake that races a swap fails; with failurePolicy Fail that is a refused request every so
 * often. Swapping only on a change leaves that race to the rare real renewal. Without a certificate (local runs, plain
 * HTTP) this does nothing.
 */
@ApplicationScoped
public class ServingCertificateReloader {

    /** The TLS configuration the Helm chart fills and points the HTTP server at. */
    public static final String CONFIGURATION = "webhook";

    /** About the kubelet's Secret volume sync period: checking more often finds nothing new. */
    static final Duration PERIOD = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(ServingCertificateReloader.class);

    private final TlsConfigurationRegistry registry;
    private final Event<CertificateUpdatedEvent> updated;
    private final Vertx vertx;
    private final Optional<String> certificate;
    private final Optional<String> key;
    private volatile String loaded;

    public ServingCertificateReloader(TlsConfigurationRegistry registry, Event<CertificateUpdatedEvent> updated,
            Vertx vertx,
            @ConfigProperty(name = "quarkus.tls." + CONFIGURATION + ".key-store.pem.0.cert") Optional<String> certificate,
            @ConfigProperty(name = "quarkus.tls." + CONFIGURATION + ".key-store.pem.0.key") Optional<String> key) {
        this.registry = registry;
        this.updated = updated;
        this.vertx = vertx;
        this.certificate = certificate;
        this.key = key;
    }

    void start(@Observes StartupEvent startup) {
        if (certificate.isEmpty() || key.isEmpty() || registry.get(CONFIGURATION).isEmpty()) {
            return;
        }
        loaded = fingerprint();
        vertx.setPeriodic(PERIOD.toMillis(), id -> vertx.executeBlocking(this::reloadIfChanged, false));
    }

    /**
     * Reloads the certificate when the files differ from what was last loaded.
     *
     * @return true when the server was handed a new certificate
     */
    public boolean reloadIfChanged() {
        Optional<TlsConfiguration> tls = registry.get(CONFIGURATION);
        String now = fingerprint();
        if (tls.isEmpty() || now == null || now.equals(loaded)) {
            return false;
        }
        if (!tls.get().reload()) {
            LOG.warnf("the serving certificate %s changed but could not be loaded; still serving the previous one",
                    certificate.get());
            return false;
        }
        loaded = now;
        updated.fire(new CertificateUpdatedEvent(CONFIGURATION, tls.get()));
        LOG.infof("serving certificate reloaded from %s", certificate.get());
        return true;
    }

    /** A digest of the certificate and key files as they are now, or null when they cannot be read. */
    private String fingerprint() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(java.nio.file.Path.of(certificate.orElseThrow())));
            digest.update(Files.readAllBytes(java.nio.file.Path.of(key.orElseThrow())));
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            LOG.warnf("cannot read the serving certificate: %s", e.toString());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
