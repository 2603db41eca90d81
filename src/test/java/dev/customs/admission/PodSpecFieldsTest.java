package dev.customs.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.rules.PodView;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;

/**
 * {@link PodSpecFields} lists every field the reader reads: each other field of the Kubernetes model (fabric8's
 * {@code PodSpec}, {@code Container}, {@code Affinity}, {@code Volume}) is set to {@code true}, a value the reader would
 * refuse where it wants an object or list and would report where it wants a string or boolean, and the view must stay
 * the same. A field the reader starts to read fails this test until it is listed, so a tree that keeps only the listed
 * fields never hides one from a rule.
 */
class PodSpecFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SPEC = """
            {"hostNetwork":true,"hostUsers":false,"os":{"name":"linux"},"serviceAccountName":"sa",
             "nodeSelector":{"kubernetes.io/arch":"arm64"},"imagePullSecrets":[{"name":"pull"}],
             "securityContext":{"runAsUser":0,"runAsNonRoot":false},
             "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
               {"matchExpressions":[{"key":"kubernetes.io/arch","operator":"In","values":["amd64"]}]}]}}},
             "volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock"}}],
             "initContainers":[{"name":"init","image":"busybox:1.36","command":["sh","-c","true"]}],
             "containers":[{"name":"app","image":"registry.example/app:latest","command":["/app"],"args":["-v"],
               "securityContext":{"runAsUser":1000},"volumeMounts":[{"name":"sock","mountPath":"/var/run/docker.sock"}],
               "env":[{"name":"TOKEN","value":"x"},{"name":"FROM","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}],
             "ephemeralContainers":[{"name":"debug","image":"busybox"}]}
            """;

    record Case(String where, String field) {
        @Override
        public String toString() {
            return where + "." + field;
        }
    }

    static List<Case> unreadFields() {
        List<Case> cases = new ArrayList<>();
        unread(PodSpec.class, PodSpecFields.POD).forEach(f -> cases.add(new Case("spec", f)));
        unread(Container.class, PodSpecFields.CONTAINER).forEach(f -> cases.add(new Case("container", f)));
        unread(Affinity.class, PodSpecFields.AFFINITY).forEach(f -> cases.add(new Case("affinity", f)));
        unread(Volume.class, PodSpecFields.VOLUME).forEach(f -> cases.add(new Case("volume", f)));
        return cases;
    }

    /** The model's JSON fields of {@code type} that are not in {@code read}. */
    private static Set<String> unread(Class<?> type, Set<String> read) {
        Set<String> out = new TreeSet<>();
        for (BeanPropertyDefinition p : JSON.getDeserializationConfig().introspect(JSON.constructType(type))
                .findProperties()) {
            if (!read.contains(p.getName()) && !p.getName().equals("additionalProperties")) {
                out.add(p.getName());
            }
        }
        return out;
    }

    private static PodView view(JsonNode spec) throws BadAdmissionRequest {
        return new PodSpecReader("Pod").read("ns", "web", "spec", spec);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unreadFields")
    void aFieldThatIsNotListedIsNotRead(Case c) throws Exception {
        ObjectNode spec = (ObjectNode) JSON.readTree(SPEC);
        PodView before = view(spec);
        ObjectNode target = switch (c.where()) {
            case "spec" -> spec;
            case "container" -> (ObjectNode) spec.at("/containers/0");
            case "affinity" -> (ObjectNode) spec.get("affinity");
            default -> (ObjectNode) spec.at("/volumes/0");
        };
        target.put(c.field(), true);

        assertThat(view(spec)).isEqualTo(before);
    }

    @Test
    void everyListedFieldIsAFieldOfTheModel() {
        // the model is the one the reader's field names come from: a listed field the model does not have is a typo
        assertThat(unread(PodSpec.class, Set.of())).containsAll(PodSpecFields.POD);
        assertThat(unread(Container.class, Set.of())).containsAll(PodSpecFields.CONTAINER);
        assertThat(unread(Affinity.class, Set.of())).containsAll(PodSpecFields.AFFINITY);
        assertThat(unread(Volume.class, Set.of())).containsAll(PodSpecFields.VOLUME);
        assertThat(PodSpecFields.POD).containsAll(PodSpecFields.CONTAINER_LISTS);
    }
}
