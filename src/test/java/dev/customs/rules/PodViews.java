package dev.customs.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.BadAdmissionRequest;
import dev.customs.admission.PodViewMapper;
import dev.customs.admission.WorkloadKind;
import io.fabric8.kubernetes.api.model.PodSpec;

/** Pod views of specs written with fabric8's builders, read the way admission reads them: from the JSON tree. */
public final class PodViews {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PodViews() {
    }

    /** A Pod with this spec, every container in scope. */
    public static PodView of(String namespace, String name, PodSpec spec) {
        ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
        pod.set("spec", JSON.valueToTree(spec));
        try {
            return new PodViewMapper(JSON).toView(WorkloadKind.POD, pod, namespace, name);
        } catch (BadAdmissionRequest e) {
            throw new IllegalArgumentException("the spec does not map: " + e.getMessage(), e);
        }
    }

    public static PodView of(PodSpec spec) {
        return of("", "", spec);
    }
}
