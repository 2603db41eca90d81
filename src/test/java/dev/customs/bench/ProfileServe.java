package dev.customs.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.customs.bench.Payloads.Payload;
import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.TestRegistry;

/**
 * Serves one benchmark payload for a profiler, without the bench's measurements: the registry seeded with the benchmark
 * images behind the proxy, Customs with the production configuration (rules on) and {@code BENCH_JAVA_OPTS} (an
 * {@code -agentpath:} for async-profiler, say), the payload rendered once, and the bench's other payloads beside it (to
 * warm up with their mix first, as the bench does). Prints the URL to post to and the payload's file, then serves until
 * its standard input closes; drive it with {@code hey}. With {@code PROFILE_RULES=floor}, every
 * rule is off, as in the bench's floor.
 *
 * <p>
 * Arguments: the project root, a work directory holding {@code tls.crt} and {@code tls.key}, and the payload's name
 * ({@code pod-10} by default).
 */
public final class ProfileServe {

    private ProfileServe() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path work = Path.of(args[1]).toAbsolutePath().normalize();
        String name = args.length > 2 ? args[2] : "pod-10";
        Bench.pids(new Bench.PidFile(work.resolve("pids")));
        Bench.Env env = new Bench.Env(root, work, Bench.productionConfig(root, work));
        try (TestRegistry registry = TestRegistry.start(TestRegistry.Auth.NONE, false, work.resolve("registry"));
                RegistryProxy proxy = new RegistryProxy(registry.base())) {
            Bench.pids().add(registry.pid());
            Map<String, String> digests = BenchImages.push(registry, "");
            Payloads payloads = new Payloads(root.resolve("bench/payloads"));
            Payload payload = payloads.render(name, proxy.authority(), digests,
                    work.resolve("payloads/" + name + ".json"));
            // the others too, beside it: a profile can warm up with the bench's mix of payloads first
            for (String other : Payloads.NAMES) {
                if (!other.equals(name)) {
                    payloads.render(other, proxy.authority(), digests, work.resolve("payloads/" + other + ".json"));
                }
            }
            Map<String, String> production = new LinkedHashMap<>();
            production.put("customs.registry.insecure-registries", proxy.authority());
            production.put("quarkus.shutdown.delay", "0s");
            Map<String, String> config = "floor".equals(System.getenv("PROFILE_RULES")) ? Bench.floor(production)
                    : production;
            try (CustomsProcess customs = CustomsProcess.start("profiled", env, config, payload.file())) {
                System.out.println("url " + customs.validate());
                System.out.println("payload " + payload.file());
                System.out.println("pid " + customs.pid());
                System.out.flush();
                System.in.readAllBytes();
            }
        }
        Files.deleteIfExists(work.resolve("pids"));
    }
}
