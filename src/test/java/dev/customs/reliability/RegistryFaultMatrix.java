package dev.customs.reliability;

import static dev.customs.image.registry.Reviews.message;
import static dev.customs.image.registry.Reviews.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.customs.image.registry.InjectRegistry;
import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.Reviews;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;
import dev.customs.policy.OnError;
import io.quarkus.test.common.http.TestHTTPResource;

/**
 * Registry faults through {@code POST /validate} of a booted Customs, against a real registry behind the
 * fault-injecting {@link RegistryProxy}: every fault of the matrix, the decision it must lead to under the subclass's
 * {@code customs.registry.on-error}, and the time the answer must stay within.
 *
 * <p>
 * The pod has no pod-spec violation, so the image alone decides: {@code allow} answers allowed without a word,
 * {@code warn} allowed with exactly one {@code [image-unverified] <image>: <reason>} warning, {@code deny} a 403 with
 * that line. Every fault but the hang is answered before the budget runs out (the fault itself ends the resolution);
 * the hang is answered when the budget ends, never later. Each fault uses its own repository, so no cached success or
 * failure of another case answers for it.
 *
 * <p>
 * The inspector-level variants of these faults (a Content-Length over the cap, an oversized config blob, a manifest
 * fetched by digest that does not match, a stale digest served while the registry is down) are in
 * {@code RegistryInspectorIT}; here each fault is seen as the apiserver sees it.
 */
abstract class RegistryFaultMatrix {

    private static final Logger LOG = Logger.getLogger(RegistryFaultMatrix.class);

    /** What the wall time of one review may exceed the budget by: HTTP, JSON and a loaded 2-core machine. */
    static final Duration SLACK = Duration.ofMillis(700);
    static final String NS = "shop";
    static final String UNRESOLVABLE = "registry.customs-test.invalid";

    @InjectRegistry
    TestRegistry registry;
    @InjectRegistry
    RegistryProxy proxy;

    @TestHTTPResource("/validate")
    URL validateUrl;

    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The on-error of the subclass's profile. */
    abstract OnError onError();

    enum Fault {
        CONNECTION_REFUSED,
        DNS_FAILURE,
        HANG,
        HTTP_500,
        HTTP_429_RETRY_AFTER,
        TRUNCATED_BODY,
        INVALID_JSON,
        DIGEST_MISMATCH,
        MANIFEST_50_MIB,
        REDIRECT_LOOP;

        String repo() {
            return "faults/" + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What ends the resolution, and so when the answer comes. */
    enum Ends {
        /** The fault itself: answered before the budget runs out. */
        BY_FAULT,
        /** The budget: answered when it runs out, never later. */
        BY_BUDGET,
        /** Either (a resolver that times out instead of answering NXDOMAIN is cut by the budget). */
        EITHER
    }

    /**
     * One arranged fault: the image to review, the reasons the finding may give, what ends the resolution, and what
     * must hold afterwards (what the proxy saw).
     */
    record Case(String image, List<String> reasons, Ends ends, Runnable afterwards) {
    }

    @BeforeEach
    void healthyProxy() {
        proxy.up();
        proxy.delay(Duration.ZERO);
        proxy.clearAnswers();
        proxy.reset();
        warmUp();
    }

    @AfterEach
    void proxyBackUp() {
        proxy.up();
        proxy.clearAnswers();
    }

    /** The proxy of the Customs boot that has been warmed up (each profile boots its own registry and proxy). */
    private static volatile String warmedUp;

    /** The first reviews of a JVM load the registry client's classes; no fault case should pay for that. */
    private void warmUp() {
        if (proxy.authority().equals(warmedUp)) {
            return;
        }
        TestRegistry.Pushed p = registry.pushImage("faults/warm-up", "1.0", compliant(), true, Map.of());
        post(Reviews.review(pod(NS, proxy.authority() + "/faults/warm-up@" + p.digest())));
        post(Reviews.review(pod(NS, proxy.authority() + "/faults/warm-up:1.0")));
        post(Reviews.review(pod(NS, proxy.authority() + "/faults/warm-up-missing:1.0")));
        proxy.reset();
        warmedUp = proxy.authority();
    }

    static TestImages.Config compliant() {
        return TestImages.config().user("10001").labels(TestImages.OCI_LABELS).entrypoint("/app/server");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Fault.class)
    void registryFault(Fault fault) throws Exception {
        Case c = arrange(fault);

        long started = System.nanoTime();
        HttpResponse<String> answer = post(Reviews.review(pod(NS, c.image())));
        long ms = (System.nanoTime() - started) / 1_000_000;

        assertThat(answer.statusCode()).as("HTTP status; body %s", answer.body()).isEqualTo(200);
        JsonNode response = Reviews.MAPPER.readTree(answer.body()).path("response");
        assertDecision(response, c);
        long budget = FaultProfiles.BUDGET.toMillis();
        assertThat(ms).as("wall time of the review, ms").isLessThan(budget + SLACK.toMillis());
        if (c.ends() == Ends.BY_BUDGET) {
            assertThat(ms).as("a hang is answered when the budget ends").isGreaterThanOrEqualTo(budget - 50);
        } else if (c.ends() == Ends.BY_FAULT) {
            assertThat(ms).as("the fault itself, not the budget, ends the resolution").isLessThan(budget);
        }
        c.afterwards().run();
        LOG.infof("[figure] on-error=%s fault=%s: %s in %d ms (budget %d ms)", onError(), fault,
                response.path("allowed").asBoolean() ? "allowed" : "denied", ms, budget);
    }

    private void assertDecision(JsonNode response, Case c) {
        String prefix = "[image-unverified] " + c.image() + ": ";
        switch (onError()) {
            case ALLOW -> {
                assertThat(response.path("allowed").asBoolean()).as("allowed; %s", response).isTrue();
                assertThat(fieldNames(response)).as("an allow says nothing; %s", response)
                        .containsExactlyInAnyOrder("uid", "allowed");
            }
            case WARN -> {
                assertThat(response.path("allowed").asBoolean()).as("allowed; %s", response).isTrue();
                assertThat(response.has("status")).as("status of an allowed review").isFalse();
                JsonNode warnings = response.path("warnings");
                assertThat(warnings.size()).as("warnings; %s", response).isEqualTo(1);
                String w = warnings.get(0).asText();
                assertThat(w).startsWith(prefix).hasSizeLessThanOrEqualTo(256);
                assertReason(w.substring(prefix.length()), c);
            }
            case DENY -> {
                assertThat(response.path("allowed").asBoolean()).as("allowed; %s", response).isFalse();
                assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
                assertThat(response.path("status").path("reason").asText()).isEqualTo("Forbidden");
                String m = message(response);
                assertThat(m.lines().count()).as("one violation; %s", m).isEqualTo(1);
                assertThat(m).startsWith(prefix);
                assertReason(m.substring(prefix.length()), c);
                JsonNode causes = response.path("status").path("details").path("causes");
                assertThat(causes.size()).isEqualTo(1);
                assertThat(causes.get(0).path("reason").asText()).isEqualTo("image-unverified");
                assertThat(causes.get(0).path("field").asText()).isEqualTo("spec.containers[0].image");
            }
        }
    }

    private static void assertReason(String reason, Case c) {
        assertThat(c.reasons()).as("the reason given: \"%s\"", reason).anySatisfy(r -> assertThat(reason).contains(r));
    }

    private Case arrange(Fault fault) {
        String repo = fault.repo();
        String image = proxy.authority() + "/" + repo + ":1.0";
        String manifestPath = "/v2/" + repo + "/manifests/1.0";
        long budget = FaultProfiles.BUDGET.toMillis();
        return switch (fault) {
            case CONNECTION_REFUSED -> {
                proxy.down();
                yield new Case(image, List.of("cannot connect to " + proxy.authority()), Ends.BY_FAULT, () -> {
                });
            }
            case DNS_FAILURE -> new Case(UNRESOLVABLE + "/app:1.0", List.of("cannot resolve registry host "
                    + UNRESOLVABLE, "did not answer within the " + budget + " ms budget"), Ends.EITHER, () -> {
                    });
            case HANG -> {
                proxy.answer(manifestPath, RegistryProxy.hang(Duration.ofSeconds(30)));
                yield new Case(image, List.of("the registry did not answer within the " + budget + " ms budget"),
                        Ends.BY_BUDGET, () -> assertThat(proxy.count(s -> s.path().equals(manifestPath))).isEqualTo(1));
            }
            case HTTP_500 -> {
                proxy.answer(manifestPath, RegistryProxy.status(500, Map.of(), "application/json",
                        utf8("{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage backend failed\"}]}")));
                yield new Case(image, List.of("the registry could not serve the manifest (" + proxy.authority()
                        + " answered HTTP 500 UNKNOWN)"), Ends.BY_FAULT, () -> {
                        });
            }
            case HTTP_429_RETRY_AFTER -> {
                proxy.answer(manifestPath, RegistryProxy.status(429, Map.of("Retry-After", "30"), "application/json",
                        utf8("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"pull rate limit\"}]}")));
                yield new Case(image, List.of("the registry could not serve the manifest (" + proxy.authority()
                        + " answered HTTP 429 TOOMANYREQUESTS)"), Ends.BY_FAULT, () -> {
                            // not retried, and Retry-After not waited for: the admission answer cannot wait 30 s
                            assertThat(proxy.count(s -> s.path().equals(manifestPath))).as("requests").isEqualTo(1);
                            // the failure is remembered, so a second review does not hit the limited registry again
                            assertThat(post(Reviews.review(pod(NS, image))).statusCode()).isEqualTo(200);
                            assertThat(proxy.count(s -> s.path().equals(manifestPath)))
                                    .as("requests after a second review").isEqualTo(1);
                        });
            }
            case TRUNCATED_BODY -> {
                byte[] manifest = manifestOf(registry.pushImage(repo, "real", compliant(), true, Map.of()), repo);
                proxy.answer(manifestPath, RegistryProxy.truncated(TestImages.OCI_MANIFEST, manifest,
                        manifest.length / 2));
                yield new Case(image, List.of("the connection to " + proxy.authority() + " failed"), Ends.BY_FAULT, () -> {
                });
            }
            case INVALID_JSON -> {
                proxy.answer(manifestPath, RegistryProxy.bytes(200, TestImages.OCI_MANIFEST,
                        utf8("{\"schemaVersion\":2,\"mediaType\":\"" + TestImages.OCI_MANIFEST + "\",\"config\":{")));
                yield new Case(image, List.of("the manifest is not valid JSON"), Ends.BY_FAULT, () -> {
                });
            }
            case DIGEST_MISMATCH -> {
                TestRegistry.Pushed p = registry.pushImage(repo, "1.0", TestImages.config().user("root"), true,
                        Map.of());
                proxy.answer("/v2/" + repo + "/blobs/" + p.configDigest(), RegistryProxy.bytes(200,
                        "application/octet-stream", compliant().json()));
                yield new Case(image, List.of("digest mismatch: the config blob"), Ends.BY_FAULT, () -> {
                });
            }
            case MANIFEST_50_MIB -> {
                AtomicLong written = new AtomicLong();
                long total = 50L * 1024 * 1024;
                proxy.answer(manifestPath, RegistryProxy.stream(TestImages.OCI_MANIFEST, total, written));
                yield new Case(image, List.of("the manifest is larger than 4 MiB"), Ends.BY_FAULT, () -> {
                    // what got through is what Customs read (4 MiB) plus what the two sockets' buffers held
                    assertThat(written.get()).as("bytes the registry got to send").isLessThan(16L * 1024 * 1024);
                    LOG.infof("[figure] on-error=%s 50 MiB manifest: the proxy got %.1f MiB out before Customs "
                            + "cut the connection", onError(), written.get() / (1024.0 * 1024));
                });
            }
            case REDIRECT_LOOP -> {
                proxy.answer(manifestPath, RegistryProxy.redirect("http://" + proxy.authority() + manifestPath));
                yield new Case(image, List.of("more than 5 redirects fetching the manifest from " + proxy.authority()),
                        Ends.BY_FAULT, () -> assertThat(proxy.count(s -> s.path().equals(manifestPath)))
                                .as("the first request and five redirects").isEqualTo(6));
            }
        };
    }

    /** The manifest bytes of a pushed image, as the registry serves them. */
    private byte[] manifestOf(TestRegistry.Pushed p, String repo) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(registry.base().resolve("/v2/" + repo
                    + "/manifests/" + p.digest())).header("Accept", p.mediaType()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> post(String review) {
        try {
            return http.send(HttpRequest.newBuilder(validateUrl.toURI()).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(review)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("POST /validate failed: " + e, e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }
}
