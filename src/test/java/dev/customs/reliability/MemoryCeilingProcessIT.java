package dev.customs.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLSocket;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.registry.Reviews;
import dev.customs.image.registry.TestImages;

/**
 * The chart's JVM sizes keep Customs under its container memory limit with the heap at its ceiling. Before, with
 * {@code -XX:MaxRAMPercentage=75} in a 512Mi container, the resident memory reached 528 to 588 MiB with the heap full:
 * the kernel killed the pod before Java could say anything.
 *
 * <p>
 * The packaged jar runs with the chart's options and environment, and its whole heap committed and touched from the
 * start ({@code -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}): the resident memory a heap at its ceiling costs.
 * Then everything outside the heap is put to work at once for 30 s: 200 idle TLS connections, clients posting large
 * token-dense reviews and ordinary ones (compiled code, threads, I/O buffers), images filling the caches and 7 MiB
 * configs read from the registry. The peak resident memory (VmHWM) must stay under the chart's memory limit.
 */
class MemoryCeilingProcessIT {

    private static final Logger LOG = Logger.getLogger(MemoryCeilingProcessIT.class);

    static final Duration LOAD = Duration.ofSeconds(30);

    @Test
    void theResidentMemoryStaysUnderTheLimitWithTheHeapAtItsCeiling() throws Exception {
        ChartRuntime chart = ChartRuntime.defaults();
        long heap = chart.jvmSize("-Xmx");
        try (Siege siege = Siege.start("memory-ceiling", Map.of(), List.of("-Xms" + (heap >> 20) + "m",
                "-XX:+AlwaysPreTouch"))) {
            ProductionProcess customs = siege.customs;
            double committed = customs.metric("jvm_memory_committed_bytes", "area=\"heap\"");
            double max = customs.metric("jvm_memory_max_bytes", "area=\"heap\"");
            long rssAtStart = customs.rss();

            List<String> images = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                TestImages.Config c = TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                        .entrypoint("/app/server");
                for (int h = 0; h < 900; h++) {
                    c.history("RUN step " + h + " " + "q".repeat(1000));
                }
                siege.registry.pushImage("ceiling/app" + i, "1.0", c, true, Map.of());
                images.add(siege.registry.authority() + "/ceiling/app" + i + ":1.0");
            }
            for (int i = 0; i < 6; i++) {
                siege.registry.pushImage("ceiling/big" + i, "1.0", TestImages.config().padTo(7_000_000), true,
                        Map.of());
                images.add(siege.registry.authority() + "/ceiling/big" + i + ":1.0");
            }
            String dense = Reviews.review(densePod(60_000));

            List<SSLSocket> idle = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                SSLSocket s = (SSLSocket) customs.tls.getSocketFactory().createSocket();
                s.connect(new InetSocketAddress("127.0.0.1", customs.port), 5000);
                s.startHandshake();
                OutputStream out = s.getOutputStream();
                out.write("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                idle.add(s);
            }

            AtomicLong peakSampled = new AtomicLong();
            AtomicInteger reviews = new AtomicInteger();
            long end = System.nanoTime() + LOAD.toNanos();
            ExecutorService load = Executors.newFixedThreadPool(12);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < 12; c++) {
                    int client = c;
                    running.add(load.submit(() -> {
                        HttpClient http = customs.client();
                        int i = client;
                        while (System.nanoTime() < end) {
                            String body = client < 3 ? dense
                                    : Reviews.review(Reviews.pod(Siege.NAMESPACE, images.get(i++ % images.size())));
                            http.send(HttpRequest.newBuilder(customs.validate()).timeout(Duration.ofSeconds(30))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            reviews.incrementAndGet();
                        }
                        return null;
                    }));
                }
                while (System.nanoTime() < end) {
                    peakSampled.accumulateAndGet(customs.rss(), Math::max);
                    customs.metric("jvm_memory_used_bytes", null);
                    Thread.sleep(200);
                }
                for (Future<?> f : running) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                load.shutdownNow();
                for (SSLSocket s : idle) {
                    s.close();
                }
            }
            long peak = customs.peakRss();
            long limit = chart.memoryLimit();
            LOG.infof("[figure] memory-ceiling: heap %.0f MiB committed of %.0f MiB (-Xms = -Xmx, pre-touched); RSS "
                    + "%.1f MiB at start, peak %.1f MiB (sampled %.1f MiB) after %d reviews in %d s with 200 idle TLS "
                    + "connections, token-dense reviews and images filling the caches; limit %.0f MiB, %.1f MiB to "
                    + "spare; outside the heap at the peak: %.1f MiB (chart options: %s)", committed / 1048576,
                    max / 1048576, Siege.mib(rssAtStart), Siege.mib(peak), Siege.mib(peakSampled.get()),
                    reviews.get(), LOAD.toSeconds(), Siege.mib(limit), Siege.mib(limit - peak),
                    Siege.mib(peak - heap), String.join(" ", chart.jvmOptions()));

            assertThat(committed).as("heap committed: at its ceiling").isEqualTo(max);
            assertThat(customs.alive()).as("alive").isTrue();
            assertThat(customs.ready()).as("ready").isTrue();
            assertThat(customs.log()).doesNotContain("java.lang.OutOfMemoryError").doesNotContain("ERROR");
            assertThat(peak).as("peak resident memory, bytes, under the container limit of %d", limit)
                    .isLessThan(limit);
        }
    }

    /** A pod of {@code n} tiny containers: a review where every byte is a token. */
    private static ObjectNode densePod(int n) {
        ObjectNode pod = Reviews.pod(Siege.NAMESPACE, "unused");
        ArrayNode containers = Reviews.spec(pod).putArray("containers");
        for (int i = 0; i < n; i++) {
            containers.addObject().put("name", "c" + i).put("image", "r.example/a:1");
        }
        return pod;
    }
}
