package dev.customs.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * The images the benchmark payloads reference, as a registry would hold them: multi-platform indexes and single
 * manifests, OCI and Docker media types, configs the size of real ones (environment, labels, a build history), most of
 * them compliant and some with the problems the rules exist for (a root user, a shell-form entrypoint, a build argument
 * with a token in the history, missing labels, the tag {@code latest}).
 */
final class BenchImages {

    /** One image: {@code repo:tag}, and for an index the platforms it covers. */
    record Image(String repo, String tag, List<String> architectures, boolean oci, Function<String, TestImages.Config> config,
            Map<String, String> indexAnnotations) {

        String ref() {
            return repo + ":" + tag;
        }

        boolean index() {
            return architectures.size() > 1;
        }

        /** Registry requests a client that caches nothing yet needs at least: manifest (+ platform manifests) + configs. */
        int minimumRequests() {
            return index() ? 1 + 2 * architectures.size() : 2;
        }

        /** Requests that depend on each other's answers: tag/digest → (platform manifest) → config. */
        int roundTrips() {
            return index() ? 3 : 2;
        }
    }

    static final List<String> BOTH = List.of("amd64", "arm64");
    static final List<String> AMD64 = List.of("amd64");

    static final List<Image> ALL = List.of(
            // pod.json
            new Image("shop/web", "1.4.2", BOTH, true, arch -> go("web", "1.4.2", arch, "10001")
                    .entrypoint("/app/web").cmd("--config=/etc/web/config.yaml"), Map.of()),
            // deployment.json
            new Image("shop/migrate", "3.2.1", AMD64, false, arch -> go("migrate", "3.2.1", arch, "65532")
                    .entrypoint("/ko-app/migrate"), Map.of()),
            new Image("shop/api", "3.2.1", BOTH, true, arch -> java("api", "3.2.1", arch), Map.of()),
            new Image("shop/envoy", "v1.29.1", BOTH, true, arch -> unlabelled(arch, "101")
                    .entrypoint("/usr/local/bin/envoy").history("COPY /envoy /usr/local/bin/envoy # buildkit"),
                    labels("envoy", "v1.29.1")),
            new Image("shop/fluent-bit", "2.2.0", AMD64, true, arch -> go("fluent-bit", "2.2.0", arch, "")
                    .entrypoint("/fluent-bit/bin/fluent-bit").cmd("-c", "/fluent-bit/etc/fluent-bit.conf"), Map.of()),
            // pod-10.json
            new Image("shop/worker", "5.0.1", BOTH, true, arch -> go("worker", "5.0.1", arch, "10001")
                    .entrypoint("/app/worker"), Map.of()),
            new Image("shop/metrics-exporter", "0.9.0", AMD64, false, arch -> go("metrics-exporter", "0.9.0", arch, null)
                    .entrypoint("/bin/exporter"), Map.of()),
            new Image("shop/redis", "7.2.4", BOTH, true, arch -> go("redis", "7.2.4", arch, "redis")
                    .entrypoint("docker-entrypoint.sh").cmd("redis-server"), Map.of()),
            new Image("shop/legacy-cron", "1.0.3", AMD64, false, arch -> go("legacy-cron", "1.0.3", arch, "1000")
                    .entrypoint("/bin/sh", "-c", "crond -f -l 2 -L /dev/stdout"), Map.of()),
            new Image("shop/node-app", "18.3.0", AMD64, true, arch -> node(arch), Map.of()),
            new Image("shop/nginx", "1.25.3", BOTH, true, arch -> go("nginx", "1.25.3", arch, "101")
                    .entrypoint("/docker-entrypoint.sh").cmd("nginx", "-g", "daemon off;"), Map.of()),
            new Image("shop/tools", "latest", AMD64, true, arch -> go("tools", "2025.11", arch, "10001")
                    .entrypoint("/usr/local/bin/pause"), Map.of()),
            new Image("shop/proxy", "2.8.0", AMD64, false, arch -> go("proxy", "2.8.0", arch, "65532")
                    .entrypoint("/usr/bin/proxy"), Map.of()),
            new Image("shop/config-reloader", "0.12.0", AMD64, true, arch -> unlabelled(arch, "65534")
                    .labels(Map.of("org.opencontainers.image.title", "config-reloader"))
                    .entrypoint("/bin/config-reloader"), Map.of()),
            new Image("shop/otel-collector", "0.91.0", BOTH, true, arch -> go("otel-collector", "0.91.0", arch, "10001")
                    .entrypoint("/otelcol-contrib").cmd("--config", "/etc/otelcol-contrib/config.yaml"), Map.of()));

    private BenchImages() {
    }

    static Image find(String ref) {
        return ALL.stream().filter(i -> i.ref().equals(ref)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no benchmark image " + ref));
    }

    /**
     * Pushes every image under {@code prefix/} (none when empty), so a prefix makes a set of images no cache has
     * seen. Returns the digest of every {@code repo:tag} (without the prefix).
     */
    static Map<String, String> push(TestRegistry registry, String prefix) {
        return push(registry, prefix, new HashSet<>());
    }

    /** The same, adding the digest of every config blob pushed to {@code configs}. */
    static Map<String, String> push(TestRegistry registry, String prefix, Set<String> configs) {
        Map<String, String> digests = new LinkedHashMap<>();
        for (Image image : ALL) {
            digests.put(image.ref(), push(registry, prefix, image, configs));
        }
        return digests;
    }

    /**
     * Pushes one image, as an index when it has several platforms; returns the digest its tag points at, and adds the
     * digest of each of its configs to {@code configs}.
     */
    private static String push(TestRegistry registry, String prefix, Image image, Set<String> configs) {
        String repo = prefix.isEmpty() ? image.repo() : prefix + "/" + image.repo();
        if (!image.index()) {
            TestRegistry.Pushed pushed = registry.pushImage(repo, image.tag(),
                    image.config().apply(image.architectures().get(0)), image.oci(), Map.of());
            configs.add(pushed.configDigest());
            return pushed.digest();
        }
        List<TestImages.IndexEntry> entries = new ArrayList<>();
        for (String arch : image.architectures()) {
            TestRegistry.Pushed pushed = registry.pushImage(repo, null, image.config().apply(arch), image.oci(),
                    Map.of());
            configs.add(pushed.configDigest());
            entries.add(pushed.entry());
        }
        return registry.pushIndex(repo, image.tag(), image.oci(), entries, image.indexAnnotations());
    }

    /** One platform of {@code image} under {@code repo:tag}: a single manifest, one config. */
    static String pushSingle(TestRegistry registry, String repo, String tag, Image image) {
        return registry.pushImage(repo, tag, image.config().apply("amd64"), image.oci(), Map.of()).digest();
    }

    static Map<String, String> labels(String title, String version) {
        Map<String, String> l = new LinkedHashMap<>();
        l.put("org.opencontainers.image.title", title);
        l.put("org.opencontainers.image.description", "The " + title + " service of the shop");
        l.put("org.opencontainers.image.source", "https://git.example.com/shop/" + title);
        l.put("org.opencontainers.image.url", "https://git.example.com/shop/" + title);
        l.put("org.opencontainers.image.version", version);
        l.put("org.opencontainers.image.revision",
                Integer.toHexString(title.hashCode()) + "4e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f");
        l.put("org.opencontainers.image.created", "2025-11-18T10:42:17Z");
        l.put("org.opencontainers.image.vendor", "Example Shop");
        l.put("org.opencontainers.image.licenses", "Apache-2.0");
        return l;
    }

    /** A static binary on a distroless-style base: the common case. */
    static TestImages.Config go(String title, String version, String arch, String user) {
        TestImages.Config c = base(arch).labels(labels(title, version))
                .env("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
                .history("ARG TARGETARCH=" + arch)
                .history("WORKDIR /app")
                .history("COPY go.mod go.sum ./ # buildkit")
                .history("RUN /bin/sh -c go mod download # buildkit")
                .history("COPY . . # buildkit")
                .history("RUN |1 TARGETARCH=" + arch + " /bin/sh -c CGO_ENABLED=0 GOARCH=$TARGETARCH go build -trimpath "
                        + "-ldflags=\"-s -w -X main.version=" + version + "\" -o /out/" + title + " ./cmd/" + title
                        + " # buildkit")
                .history("COPY /out/" + title + " /app/" + title + " # buildkit");
        if (user != null) {
            c.user(user).history("USER " + (user.isEmpty() ? "root" : user));
        }
        return c;
    }

    static TestImages.Config java(String title, String version, String arch) {
        return base(arch).labels(labels(title, version)).user("185")
                .env("JAVA_HOME=/usr/lib/jvm/java-17").env("JAVA_VERSION=17.0.15").env("LANG=C.UTF-8")
                .env("JAVA_OPTS_APPEND=-Dquarkus.http.host=0.0.0.0")
                .history("ENV JAVA_HOME=/usr/lib/jvm/java-17 JAVA_VERSION=17.0.15")
                .history("RUN /bin/sh -c microdnf install -y java-17-openjdk-headless && microdnf clean all # buildkit")
                .history("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/ # buildkit")
                .history("COPY --chown=185 target/quarkus-app/*.jar /deployments/ # buildkit")
                .history("COPY --chown=185 target/quarkus-app/app/ /deployments/app/ # buildkit")
                .history("COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/ # buildkit")
                .history("EXPOSE 8080").history("USER 185")
                .entrypoint("java", "-XX:MaxRAMPercentage=75.0", "-jar", "/deployments/quarkus-run.jar");
    }

    /** A node app whose build passed an npm token as a build argument: it is in the history for anyone to read. */
    static TestImages.Config node(String arch) {
        return base(arch).labels(labels("node-app", "18.3.0")).user("node")
                .env("NODE_VERSION=18.19.0").env("YARN_VERSION=1.22.19").env("NODE_ENV=production")
                .history("ENV NODE_VERSION=18.19.0")
                .history("RUN /bin/sh -c set -eux; apt-get update; apt-get install -y --no-install-recommends ca-certificates "
                        + "curl; rm -rf /var/lib/apt/lists/* # buildkit")
                .history("WORKDIR /usr/src/app").history("COPY package.json package-lock.json ./ # buildkit")
                .history("ARG NPM_TOKEN")
                .history("RUN |1 NPM_TOKEN=npm_Xr4kq9TbW2mZp7Lc3Vn8Hs6Jd1Fg5Ae0Yu2Q /bin/sh -c npm ci --omit=dev # buildkit")
                .history("COPY . . # buildkit").history("USER node")
                .cmd("node", "server.js");
    }

    static TestImages.Config unlabelled(String arch, String user) {
        return base(arch).user(user).history("COPY /bin /bin # buildkit").history("USER " + user);
    }

    private static TestImages.Config base(String arch) {
        return TestImages.config().platform("linux", arch).env("TZ=UTC")
                .history("/bin/sh -c #(nop) ADD file:5b1e63a3cb041177d802b501dedcd71a86f1773ea0f69f048f2eb3901097711d in / ")
                .history("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]")
                .history("LABEL maintainer=platform@example.com")
                .history("RUN /bin/sh -c apk add --no-cache ca-certificates tzdata # buildkit");
    }
}
