package dev.customs.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A cluster at Kubernetes' scalability limit, made up on demand: 150,000 pods and 50,000 workloads in 1,000
 * namespaces, with the ReplicaSets and Jobs their controllers would have made (70,000 and 12,000 more), nothing stored.
 * Object {@code i} of a resource is a pure function of {@code i}, so a page is generated when it is asked for. Pods are
 * the benchmark's own {@code pod.json} (9 KB as the API server stores it, 5 KB of it metadata with managed fields);
 * workloads wrap its pod spec. Their images are taken round-robin from a given list.
 *
 * <pre>
 * Deployments            35,000   each with 2 ReplicaSets (current and previous revision) and 3 or 4 pods
 * StatefulSets            5,000   3 pods each
 * DaemonSets                200   50 pods each (50 nodes)
 * CronJobs                4,000   3 Jobs each, the last one's pod kept
 * Jobs (standalone)       4,800   1 pod each
 * ReplicationControllers  1,000   1 pod each
 * Pods (standalone)       1,000
 * </pre>
 *
 * The audit evaluates the 50,000 workloads and 1,000 standalone pods (51,000 reports); the other 99,000 pods, the
 * 70,000 ReplicaSets and the 12,000 CronJob Jobs are owned by an evaluated controller, read as metadata only.
 */
final class SyntheticCluster {

    static final int NAMESPACES = 1000;
    static final int DEPLOYMENTS = 35_000;
    static final int DEPLOYMENTS_WITH_4_PODS = 9_200;
    static final int STATEFULSETS = 5_000;
    static final int DAEMONSETS = 200;
    static final int NODES = 50;
    static final int CRONJOBS = 4_000;
    static final int STANDALONE_JOBS = 4_800;
    static final int RCS = 1_000;
    static final int STANDALONE_PODS = 1_000;

    static final int DEPLOYMENT_PODS = DEPLOYMENTS_WITH_4_PODS * 4 + (DEPLOYMENTS - DEPLOYMENTS_WITH_4_PODS) * 3;
    static final int PODS = DEPLOYMENT_PODS + STATEFULSETS * 3 + DAEMONSETS * NODES + CRONJOBS + STANDALONE_JOBS + RCS
            + STANDALONE_PODS;
    static final int WORKLOADS = DEPLOYMENTS + STATEFULSETS + DAEMONSETS + CRONJOBS + STANDALONE_JOBS + RCS;

    /** One resource: its API path segment, apiVersion, kind and how many objects it has. */
    record Resource(String plural, String apiVersion, String kind, int count) {
    }

    static final Map<String, Resource> RESOURCES = new LinkedHashMap<>();
    static {
        for (Resource r : List.of(new Resource("pods", "v1", "Pod", PODS),
                new Resource("replicationcontrollers", "v1", "ReplicationController", RCS),
                new Resource("deployments", "apps/v1", "Deployment", DEPLOYMENTS),
                new Resource("replicasets", "apps/v1", "ReplicaSet", DEPLOYMENTS * 2),
                new Resource("statefulsets", "apps/v1", "StatefulSet", STATEFULSETS),
                new Resource("daemonsets", "apps/v1", "DaemonSet", DAEMONSETS),
                new Resource("jobs", "batch/v1", "Job", CRONJOBS * 3 + STANDALONE_JOBS),
                new Resource("cronjobs", "batch/v1", "CronJob", CRONJOBS))) {
            RESOURCES.put(r.plural(), r);
        }
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final ObjectNode pod;
    private final List<String> images;

    /**
     * @param podTemplate the benchmark's pod object (its containers' images are replaced)
     * @param images the images workloads and pods use, round-robin
     */
    SyntheticCluster(JsonNode podTemplate, List<String> images) {
        this.pod = (ObjectNode) podTemplate.deepCopy();
        this.images = List.copyOf(images);
    }

    static String namespace(int i) {
        return String.format("ns-%04d", i % NAMESPACES);
    }

    static String uid(String plural, int i) {
        return UUID.nameUUIDFromBytes((plural + "/" + i).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The owner of object {@code i} of a resource, or null: (apiVersion, kind, plural, index). */
    private record Owner(String apiVersion, String kind, String plural, int index) {
    }

    private static Owner owner(String plural, int i) {
        switch (plural) {
            case "replicasets":
                return new Owner("apps/v1", "Deployment", "deployments", i / 2);
            case "jobs":
                return i < CRONJOBS * 3 ? new Owner("batch/v1", "CronJob", "cronjobs", i / 3) : null;
            case "pods": {
                int k = i;
                if (k < DEPLOYMENTS_WITH_4_PODS * 4) {
                    return new Owner("apps/v1", "ReplicaSet", "replicasets", k / 4 * 2);
                }
                k -= DEPLOYMENTS_WITH_4_PODS * 4;
                if (k < (DEPLOYMENTS - DEPLOYMENTS_WITH_4_PODS) * 3) {
                    return new Owner("apps/v1", "ReplicaSet", "replicasets", (DEPLOYMENTS_WITH_4_PODS + k / 3) * 2);
                }
                k -= (DEPLOYMENTS - DEPLOYMENTS_WITH_4_PODS) * 3;
                if (k < STATEFULSETS * 3) {
                    return new Owner("apps/v1", "StatefulSet", "statefulsets", k / 3);
                }
                k -= STATEFULSETS * 3;
                if (k < DAEMONSETS * NODES) {
                    return new Owner("apps/v1", "DaemonSet", "daemonsets", k / NODES);
                }
                k -= DAEMONSETS * NODES;
                if (k < CRONJOBS) {
                    return new Owner("batch/v1", "Job", "jobs", k * 3 + 2);
                }
                k -= CRONJOBS;
                if (k < STANDALONE_JOBS) {
                    return new Owner("batch/v1", "Job", "jobs", CRONJOBS * 3 + k);
                }
                k -= STANDALONE_JOBS;
                if (k < RCS) {
                    return new Owner("v1", "ReplicationController", "replicationcontrollers", k);
                }
                return null;
            }
            default:
                return null;
        }
    }

    /** The name of object {@code i}: its resource and its index, so a GET by name finds it again. */
    static String name(String plural, int i) {
        return prefix(plural) + i;
    }

    private static String prefix(String plural) {
        return plural.substring(0, plural.length() - 1) + "-";
    }

    /** The index in a name made by {@link #name}, or -1. */
    static int index(String plural, String name) {
        String prefix = prefix(plural);
        if (!name.startsWith(prefix)) {
            return -1;
        }
        try {
            int i = Integer.parseInt(name.substring(prefix.length()));
            return i >= 0 && i < RESOURCES.get(plural).count() ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Object {@code i} of {@code plural}: whole, or as the {@code PartialObjectMetadata} a metadata list holds. */
    ObjectNode object(String plural, int i, boolean metadataOnly) {
        Resource r = RESOURCES.get(plural);
        String namespace = namespace(i);
        ObjectNode meta = ((ObjectNode) pod.get("metadata")).deepCopy();
        meta.put("name", name(plural, i));
        meta.remove("generateName");
        meta.put("namespace", namespace);
        meta.put("uid", uid(plural, i));
        meta.put("resourceVersion", Integer.toString(1000 + i));
        meta.put("creationTimestamp", "2026-01-01T00:00:00Z");
        Owner o = owner(plural, i);
        if (o == null) {
            meta.remove("ownerReferences");
        } else {
            ArrayNode refs = meta.putArray("ownerReferences");
            refs.addObject().put("apiVersion", o.apiVersion()).put("kind", o.kind()).put("name", name(o.plural(),
                    o.index())).put("uid", uid(o.plural(), o.index())).put("controller", true)
                    .put("blockOwnerDeletion", true);
        }
        ObjectNode out = mapper.createObjectNode();
        if (metadataOnly) {
            out.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
            out.set("metadata", meta);
            return out;
        }
        out.put("kind", r.kind()).put("apiVersion", r.apiVersion());
        out.set("metadata", meta);
        ObjectNode spec = ((ObjectNode) pod.get("spec")).deepCopy();
        for (JsonNode c : spec.path("containers")) {
            ((ObjectNode) c).put("image", images.get(i % images.size()));
        }
        if (plural.equals("pods")) {
            out.set("spec", spec);
            out.set("status", pod.get("status"));
            return out;
        }
        if (plural.equals("jobs") || plural.equals("cronjobs")) {
            spec.remove("nodeName");
            spec.put("restartPolicy", "Never");
        }
        ObjectNode template = mapper.createObjectNode();
        template.putObject("metadata").set("labels", pod.at("/metadata/labels"));
        template.set("spec", spec);
        ObjectNode workloadSpec = out.putObject("spec");
        if (plural.equals("cronjobs")) {
            workloadSpec.put("schedule", "*/15 * * * *");
            workloadSpec.putObject("jobTemplate").putObject("spec").set("template", template);
        } else {
            if (!plural.equals("jobs") && !plural.equals("daemonsets")) {
                workloadSpec.put("replicas", 3);
            }
            workloadSpec.putObject("selector").set("matchLabels", pod.at("/metadata/labels"));
            workloadSpec.set("template", template);
        }
        out.putObject("status").put("observedGeneration", 1);
        return out;
    }

    /** The objects of one list page: items {@code [from, from + limit)}. */
    List<ObjectNode> page(String plural, int from, int limit, boolean metadataOnly) {
        int count = RESOURCES.get(plural).count();
        List<ObjectNode> out = new ArrayList<>();
        for (int i = from; i < Math.min(count, from + limit); i++) {
            out.add(object(plural, i, metadataOnly));
        }
        return out;
    }
}
