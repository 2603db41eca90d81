package dev.customs.config;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * The webhook's entry point ({@code java -jar quarkus-run.jar}): sets what must be set before anything starts, then
 * runs Quarkus.
 *
 * <p>
 * The serving certificate is a PEM file; the TLS stack turns it into an in-memory PKCS12 key store, protecting the key
 * with a fixed password through PBKDF2 at the JDK's default 10,000 iterations — and does so several times while
 * starting, a fifth of a second of a cold start. The store never leaves memory and its password is a constant, so the
 * iterations protect nothing: they are set to 1 unless the operator set them ({@code -Dkeystore.pkcs12.*}). This is
 * a JDK-wide setting of this process only; Customs writes no key store to disk.
 */
@QuarkusMain
public final class WebhookMain {

    /** The JDK's (overridable) iteration count for keys put in a PKCS12 key store. */
    static final String KEY_ITERATIONS = "keystore.pkcs12.keyPbeIterationCount";

    private WebhookMain() {
    }

    public static void main(String... args) {
        inMemoryKeyStores();
        Quarkus.run(args);
    }

    static void inMemoryKeyStores() {
        if (System.getProperty(KEY_ITERATIONS) == null) {
            System.setProperty(KEY_ITERATIONS, "1");
        }
    }
}
