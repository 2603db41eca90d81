package dev.customs.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.customs.admission.WorkloadKind;

/** What Prometheus scrapes from a Customs that reviewed real requests. */
@ExtendWith(ClusterExtension.class)
class MetricsProcessIT {

    private static final String NS = "team-metrics";
    private static Cluster cluster;
    private static CustomsInstance customs;

    @BeforeAll
    static void start(Cluster c) throws Exception {
        cluster = c;
        customs = c.customs("customs-metrics");
        c.controlPlane().namespace(NS, Map.of());
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (customs != null) {
            customs.close();
        }
    }

    @Test
    void registryLatencyIsAHistogramTheDashboardPanelCanQuery() {
        ControlPlane.Run r = cluster.kubectlWithInput(Manifests.pod("scraped", cluster.image(Cluster.APP), null),
                "apply", "--namespace", NS, "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        String host = cluster.image(Cluster.APP).substring(0, cluster.image(Cluster.APP).indexOf('/'));
        // the dashboard: histogram_quantile(0.99, sum by (le, registry) (rate(..._bucket[5m])))
        assertThat(customs.scrape()).containsPattern(
                "customs_registry_request_duration_seconds_bucket\\{registry=\"" + Pattern.quote(host)
                        + "\",le=\"\\+Inf\",?} [1-9]");
    }

    @Test
    void theKindLabelStaysBoundedWhateverTheRequestsSay() throws Exception {
        for (int i = 0; i < 40; i++) {
            String review = """
                    {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
                     "kind":{"group":"example.com","version":"v1","kind":"Kind%d"},
                     "resource":{"group":"example.com","version":"v1","resource":"things"},
                     "operation":"CREATE","namespace":"%s","userInfo":{"username":"someone"},
                     "object":{"apiVersion":"example.com/v1","kind":"Kind%d","metadata":{"name":"t%d"}}}}
                    """.formatted(UUID.randomUUID(), i, NS, i, i);
            assertThat(customs.review(review).statusCode()).isEqualTo(200);
        }
        Set<String> kinds = new TreeSet<>();
        Matcher m = Pattern.compile("^customs_admission_requests_total\\{[^}]*kind=\"([^\"]*)\"", Pattern.MULTILINE)
                .matcher(customs.scrape());
        while (m.find()) {
            kinds.add(m.group(1));
        }
        Set<String> allowed = Stream.concat(Stream.of(WorkloadKind.values()).map(WorkloadKind::kind),
                Stream.of("other")).collect(Collectors.toSet());
        assertThat(kinds).contains("other").isSubsetOf(allowed);
    }
}
