package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;

/** The HTTPS server's options ask Vert.x for pooled TLS buffers whenever the JDK's TLS engine serves. */
class PooledTlsBuffersTest {

    @Test
    void withNoEngineChosenTheJdksEngineServesWithPooledBuffers() {
        HttpServerOptions options = new HttpServerOptions().setSsl(true);

        new PooledTlsBuffers().customizeHttpsServer(options);

        assertThat(options.getSslEngineOptions()).isInstanceOfSatisfying(JdkSSLEngineOptions.class,
                jdk -> assertThat(jdk.isPooledHeapBuffers()).isTrue());
    }

    @Test
    void theJdksEngineAlreadyChosenKeepsItsSettingsAndPoolsItsBuffers() {
        JdkSSLEngineOptions chosen = new JdkSSLEngineOptions().setUseWorkerThread(true);
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setSslEngineOptions(chosen);

        new PooledTlsBuffers().customizeHttpsServer(options);

        JdkSSLEngineOptions jdk = (JdkSSLEngineOptions) options.getSslEngineOptions();
        assertThat(jdk.isPooledHeapBuffers()).isTrue();
        assertThat(jdk.getUseWorkerThread()).isTrue();
    }

    @Test
    void anotherEngineIsLeftAsItIs() {
        OpenSSLEngineOptions openssl = new OpenSSLEngineOptions();
        HttpServerOptions options = new HttpServerOptions().setSsl(true).setSslEngineOptions(openssl);

        new PooledTlsBuffers().customizeHttpsServer(options);

        assertThat(options.getSslEngineOptions()).isInstanceOf(OpenSSLEngineOptions.class);
    }

    @Test
    void thePlainHttpServerIsNotTouched() {
        HttpServerOptions options = new HttpServerOptions();

        new PooledTlsBuffers().customizeHttpServer(options);

        assertThat(options.getSslEngineOptions()).isNull();
    }
}
