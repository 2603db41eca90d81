package dev.customs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.BadAdmissionRequest;
import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;

/** What the audit keeps of an object it lists: never the parts that make up most of its bytes and that it never reads. */
class ItemReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"web-1","namespace":"team","uid":"u-1","labels":{"app":"web"},
               "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"a\\":1}","team":"a"},
               "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","controller":true}],
               "managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{}}}]},
             "spec":{"containers":[{"name":"app","image":"app:1","ports":[{"containerPort":8080}]}],
               "terminationGracePeriodSeconds":30,"priority":2000000000000,"x":1.5,"hostNetwork":false,"y":null},
             "status":{"phase":"Running","conditions":[{"type":"Ready"}]}}
            """;

    private static JsonNode read(String json, ItemReader.Mode mode) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return ItemReader.read(p, mode);
        }
    }

    @Test
    void managedFieldsLastAppliedAndStatusAreLeftOutAndEverythingElseKept() throws Exception {
        JsonNode pod = read(POD, ItemReader.Mode.FULL);
        JsonNode expected = JSON.readTree(POD);
        ((ObjectNode) expected).remove("status");
        ObjectNode meta = (ObjectNode) expected
                .get("metadata");
        meta.remove("managedFields");
        ((ObjectNode) meta.get("annotations")).remove(ItemReader.LAST_APPLIED);
        assertThat(pod).isEqualTo(expected);
        assertThat(pod.at("/spec/priority").asLong()).isEqualTo(2_000_000_000_000L);
    }

    @Test
    void ownershipKeepsOnlyWhatTheAuditDecidesFrom() throws Exception {
        JsonNode pod = read(POD, ItemReader.Mode.OWNERSHIP);
        assertThat(pod.fieldNames()).toIterable().containsExactly("metadata");
        assertThat(pod.get("metadata").fieldNames()).toIterable().containsExactly("name", "namespace", "uid",
                "ownerReferences");
        assertThat(pod.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("ReplicaSet");
    }

    @Test
    void nestingDeeperThanTheLimitIsAParseErrorNotAStackOverflow() {
        String deep = "{\"spec\":" + "[".repeat(ItemReader.MAX_DEPTH + 5) + "]".repeat(ItemReader.MAX_DEPTH + 5)
                + "}";
        assertThatThrownBy(() -> read(deep, ItemReader.Mode.FULL)).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("nesting deeper than");
    }

    @Test
    void somethingOtherThanAnObjectIsRefused() {
        assertThatThrownBy(() -> read("[1]", ItemReader.Mode.FULL)).isInstanceOf(JsonProcessingException.class)
                .hasMessageContaining("expected an object");
    }

    private static final String DEPLOYMENT = """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"team","uid":"u-2","resourceVersion":"42","labels":{"app":"web"},
               "managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{}}}]},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"strategy":{"type":"RollingUpdate"},
               "template":{"metadata":{"labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"app","image":"app:1","ports":[{"containerPort":8080}],
                     "resources":{"limits":{"cpu":"1"}},"readinessProbe":{"httpGet":{"path":"/","port":8080}},
                     "env":[{"name":"A","value":"1"}],"securityContext":{"runAsUser":0}}],
                   "tolerations":[{"key":"k","operator":"Exists"}],"hostNetwork":true,
                   "affinity":{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[]},
                     "nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[]}}},
                   "volumes":[{"name":"c","configMap":{"name":"cm"}},{"name":"h","hostPath":{"path":"/"}}]}}},
             "status":{"replicas":3}}
            """;

    private static JsonNode readWorkload(String json, WorkloadKind kind) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return ItemReader.read(p, kind);
        }
    }

    @Test
    void aWorkloadKeepsOfItsSpecOnlyTheWayToThePodSpecAndTheFieldsReadThere() throws Exception {
        JsonNode d = readWorkload(DEPLOYMENT, WorkloadKind.DEPLOYMENT);

        assertThat(d.fieldNames()).toIterable().containsExactly("apiVersion", "kind", "metadata", "spec");
        assertThat(d.get("metadata").fieldNames()).toIterable().containsExactly("name", "namespace", "uid",
                "resourceVersion", "labels");
        assertThat(d.get("spec").fieldNames()).toIterable().containsExactly("template");
        assertThat(d.at("/spec/template").fieldNames()).toIterable().containsExactly("spec");
        JsonNode pod = d.at("/spec/template/spec");
        assertThat(pod.fieldNames()).toIterable().containsExactly("containers", "hostNetwork", "affinity", "volumes");
        assertThat(pod.at("/containers/0").fieldNames()).toIterable().containsExactly("name", "image", "env",
                "securityContext");
        assertThat(pod.get("affinity").fieldNames()).toIterable().containsExactly("nodeAffinity");
        assertThat(pod.get("volumes"))
                .isEqualTo(JSON.readTree("[{\"name\":\"c\"},{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}]"));
    }

    @Test
    void aWayThatIsNotAnObjectIsKeptWholeSoTheViewRefusesItAsBefore() throws Exception {
        String json = "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"template\":[1,2]}}";
        JsonNode d = readWorkload(json, WorkloadKind.DEPLOYMENT);
        assertThat(d.at("/spec/template")).isEqualTo(JSON.readTree("[1,2]"));
        PodViewMapper views = new PodViewMapper(JSON);
        assertThatThrownBy(() -> views.toView(WorkloadKind.DEPLOYMENT, d, "ns", "d"))
                .isInstanceOf(BadAdmissionRequest.class).hasMessageContaining("spec.template must be an object");
    }

    /** The bench's payloads and every kind's way to its pod spec: the view of the kept tree is the whole one's. */
    @Test
    void theViewOfWhatIsKeptIsTheViewOfTheWholeObject() throws Exception {
        PodViewMapper views = new PodViewMapper(JSON);
        List<JsonNode> objects = new ArrayList<>();
        for (String payload : List.of("pod.json", "pod-10.json", "deployment.json")) {
            objects.add(JSON.readTree(Path.of("bench", "payloads", payload).toFile()).at("/request/object"));
        }
        objects.add(JSON.readTree(DEPLOYMENT));
        int compared = 0;
        for (JsonNode o : objects) {
            for (WorkloadKind kind : WorkloadKind.values()) {
                ObjectNode whole = wrap(o, kind);
                JsonNode kept = readWorkload(JSON.writeValueAsString(whole), kind);
                assertThat(views.toView(kind, kept, "ns", "n")).as(kind + " of " + o.at("/metadata/name"))
                        .isEqualTo(views.toView(kind, whole, "ns", "n"));
                compared++;
            }
        }
        assertThat(compared).isEqualTo(4 * WorkloadKind.values().length);
    }

    /** {@code o}'s pod spec placed where {@code kind} has it. */
    private static ObjectNode wrap(JsonNode o, WorkloadKind kind) {
        JsonNode podSpec = o.get("kind").asText().equals("Pod") ? o.get("spec") : o.at("/spec/template/spec");
        ObjectNode whole = JSON.createObjectNode().put("apiVersion", "v1").put("kind", kind.kind());
        whole.set("metadata", o.get("metadata"));
        ObjectNode at = whole;
        List<String> path = kind.specSegments();
        for (int i = 0; i < path.size() - 1; i++) {
            at = at.putObject(path.get(i));
            at.put("unread", 1);
        }
        at.set(path.get(path.size() - 1), podSpec.deepCopy());
        return whole;
    }
}
