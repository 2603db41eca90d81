package dev.customs.kube;

import java.io.IOException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.admission.WorkloadKind;
import dev.customs.audit.ObjectSource;

/**
 * The audit's objects from the API server, by paginated list ({@code limit}/{@code continue}) of each kind across all
 * namespaces. Nothing is cached between runs, so memory holds one page whatever the cluster's size.
 *
 * <p>
 * Pods, ReplicaSets and Jobs, which controllers make in their thousands, are listed as metadata only
 * ({@code PartialObjectMetadataList}); only those the audit wants (no evaluated controller owns them) are then read in
 * full, one by one. The other kinds are listed whole. Either way an object becomes a tree without its managed fields,
 * last-applied annotation and status, and with only the pod spec fields Customs reads ({@link ItemReader}).
 *
 * <p>
 * A page is read into one reused buffer of at most {@code maxPageBytes}; a page that does not fit is asked again with
 * a quarter of the limit from the same continue token (which does not depend on the limit), and the limit grows back
 * after a page that fits. An expired continuation (410) goes on with the token the API server offers, which may skip
 * or repeat objects changed meanwhile; the next run sees them.
 */
public final class ApiObjectSource implements ObjectSource {

    private static final Logger LOG = Logger.getLogger(ApiObjectSource.class);

    /** Where a kind is served. */
    record KindPath(String apiVersion, String plural) {
        String list() {
            return (apiVersion.contains("/") ? "/apis/" : "/api/") + apiVersion + "/" + plural;
        }

        String one(String namespace, String name) {
            return (apiVersion.contains("/") ? "/apis/" : "/api/") + apiVersion + "/namespaces/" + namespace + "/"
                    + plural + "/" + name;
        }
    }

    static final Map<WorkloadKind, KindPath> PATHS = new EnumMap<>(WorkloadKind.class);
    static {
        PATHS.put(WorkloadKind.POD, new KindPath("v1", "pods"));
        PATHS.put(WorkloadKind.REPLICATION_CONTROLLER, new KindPath("v1", "replicationcontrollers"));
        PATHS.put(WorkloadKind.DEPLOYMENT, new KindPath("apps/v1", "deployments"));
        PATHS.put(WorkloadKind.REPLICA_SET, new KindPath("apps/v1", "replicasets"));
        PATHS.put(WorkloadKind.STATEFUL_SET, new KindPath("apps/v1", "statefulsets"));
        PATHS.put(WorkloadKind.DAEMON_SET, new KindPath("apps/v1", "daemonsets"));
        PATHS.put(WorkloadKind.JOB, new KindPath("batch/v1", "jobs"));
        PATHS.put(WorkloadKind.CRON_JOB, new KindPath("batch/v1", "cronjobs"));
    }

    /** Kinds that controllers make in numbers: listed as metadata, read in full only when wanted. */
    static final Set<WorkloadKind> METADATA_FIRST = EnumSet.of(WorkloadKind.POD, WorkloadKind.REPLICA_SET,
            WorkloadKind.JOB);

    /** One object read in full is at most this large (the API server takes requests up to 3 MiB). */
    static final int MAX_OBJECT_BYTES = 4 * 1024 * 1024;

    private final KubeApi api;
    private final ObjectMapper mapper;
    private final int pageSize;
    private final KubeApi.Body page;
    private final KubeApi.Body object = new KubeApi.Body(MAX_OBJECT_BYTES);

    /**
     * @param pageSize the {@code limit} of a list request
     * @param maxPageBytes the most bytes one page may take
     */
    public ApiObjectSource(KubeApi api, ObjectMapper mapper, int pageSize, int maxPageBytes) {
        this.api = api;
        this.mapper = mapper;
        this.pageSize = Math.max(1, pageSize);
        this.page = new KubeApi.Body(Math.max(MAX_OBJECT_BYTES, maxPageBytes));
    }

    @Override
    public void list(WorkloadKind kind, Sink sink) throws ListingFailed, InterruptedException {
        KindPath where = PATHS.get(kind);
        boolean metadataFirst = METADATA_FIRST.contains(kind);
        String token = null;
        int limit = pageSize;
        try {
            while (true) {
                Map<String, String> query = new LinkedHashMap<>();
                query.put("limit", Integer.toString(limit));
                query.put("continue", token);
                sink.beforeRequest();
                try {
                    api.get(KubeApi.path(where.list(), query), metadataFirst ? KubeApi.METADATA_ONLY : KubeApi.JSON,
                            page);
                } catch (KubeApiException e) {
                    if (e.code() == KubeApiException.TOO_LARGE && limit > 1) {
                        limit = Math.max(1, limit / 4);
                        LOG.debugf("audit kind=%s: a page did not fit in %d bytes; asking for %d objects", kind.kind(),
                                page.max(), limit);
                        continue; // the same page again, smaller
                    }
                    if (e.code() == 410 && e.continueToken() != null) {
                        LOG.infof("audit kind=%s: the list expired while it was read; going on from where it was",
                                kind.kind());
                        token = e.continueToken();
                        continue;
                    }
                    throw new ListingFailed("listing " + where.plural() + " failed: " + e.getMessage());
                }
                Page read = readPage(kind, where, metadataFirst, sink);
                if (read.stopped() || read.next() == null) {
                    return;
                }
                token = read.next();
                limit = Math.min(pageSize, limit * 2);
            }
        } finally {
            page.reset();
        }
    }

    /** What reading a page ended with: the continue token (null at the end), or the sink's wish to stop. */
    private record Page(String next, boolean stopped) {
    }

    /** Streams one page's items to the sink. */
    private Page readPage(WorkloadKind kind, KindPath where, boolean metadataFirst, Sink sink)
            throws ListingFailed, InterruptedException {
        String token = null;
        try (JsonParser p = mapper.createParser(page.array(), 0, page.size())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ListingFailed("listing " + where.plural() + ": the answer is not a list");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    JsonNode meta = p.readValueAsTree();
                    String c = meta.path("continue").asText("");
                    token = c.isEmpty() ? null : c;
                } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        ObjectNode item = metadataFirst ? ItemReader.read(p, ItemReader.Mode.OWNERSHIP)
                                : ItemReader.read(p, kind);
                        JsonNode meta = item.path("metadata");
                        if (!sink.wants(meta)) {
                            continue;
                        }
                        if (metadataFirst) {
                            sink.beforeRequest();
                        }
                        JsonNode whole = metadataFirst ? fetch(kind, where, meta) : item;
                        if (whole instanceof ObjectNode o) {
                            o.put("apiVersion", where.apiVersion());
                            o.put("kind", kind.kind());
                            if (!sink.accept(o)) {
                                return new Page(null, true);
                            }
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new ListingFailed("listing " + where.plural() + ": the answer is not valid JSON: " + e.getMessage());
        }
        return new Page(token, false);
    }

    /** The whole object, or null when it is gone or cannot be read (it is then left to the next run). */
    private JsonNode fetch(WorkloadKind kind, KindPath where, JsonNode meta) throws InterruptedException {
        String namespace = meta.path("namespace").asText("");
        String name = meta.path("name").asText("");
        if (namespace.isEmpty() || name.isEmpty()) {
            return null;
        }
        try {
            api.get(where.one(namespace, name), KubeApi.JSON, object);
            try (JsonParser p = mapper.createParser(object.array(), 0, object.size())) {
                p.nextToken();
                return ItemReader.read(p, kind);
            }
        } catch (KubeApiException e) {
            if (e.code() != 404) {
                LOG.debugf("audit could not read namespace=%s name=%s: %s", namespace, name, e.getMessage());
            }
            return null;
        } catch (IOException e) {
            LOG.debugf("audit could not parse namespace=%s name=%s: %s", namespace, name, e.getMessage());
            return null;
        } finally {
            object.reset();
        }
    }
}
