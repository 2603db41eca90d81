package dev.customs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Kubernetes API server for the audit benchmark, over plain HTTP on loopback: the {@link SyntheticCluster}'s objects
 * by paginated list ({@code limit}/{@code continue}, as metadata when asked with {@code as=PartialObjectMetadataList})
 * and by GET; namespaces (list, and a watch that stays open); reports kept in memory, listed by key order, written by
 * server-side apply, deleted; Events and Leases kept as posted. It counts what Customs asked for, and every request it
 * does not serve, so the benchmark can show the API traffic of an audit.
 *
 * <p>
 * Its threads run at the lowest priority (nice 19 with {@code bench/run}'s thread-priority flags): in a cluster the API
 * server runs on other machines, and here it shares Customs' 2 cores, so it yields them to Customs as far as the
 * scheduler lets it; its CPU is still measured and reported with each run.
 */
final class SyntheticApiServer implements AutoCloseable {

    private static final Pattern CLUSTER_LIST = Pattern.compile("^/(?:api/v1|apis/(?:apps|batch)/v1)/([a-z]+)$");
    private static final Pattern ONE = Pattern
            .compile("^/(?:api/v1|apis/(?:apps|batch)/v1)/namespaces/([^/]+)/([a-z]+)/([^/]+)$");
    private static final Pattern REPORT_LIST = Pattern
            .compile("^/apis/(openreports\\.io/v1alpha1/reports|wgpolicyk8s\\.io/v1alpha2/policyreports)$");
    private static final Pattern REPORT = Pattern.compile(
            "^/apis/(openreports\\.io/v1alpha1|wgpolicyk8s\\.io/v1alpha2)/namespaces/([^/]+)/(reports|policyreports)/([^/]+)$");
    private static final Pattern STORED = Pattern
            .compile(
                    "^/apis/(events\\.k8s\\.io/v1|coordination\\.k8s\\.io/v1)/namespaces/([^/]+)/(events|leases)(?:/([^/]+))?$");

    /** What Customs asked for. */
    static final class Traffic {
        final AtomicLong listRequests = new AtomicLong();
        final AtomicLong metadataListRequests = new AtomicLong();
        final AtomicLong gets = new AtomicLong();
        final AtomicLong listedObjects = new AtomicLong();
        final AtomicLong bytesSent = new AtomicLong();
        final AtomicLong reportLists = new AtomicLong();
        final AtomicLong reportApplies = new AtomicLong();
        final AtomicLong reportDeletes = new AtomicLong();
        final AtomicLong reportBytes = new AtomicLong();
        final AtomicLong largestReport = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final List<String> unexpected = new CopyOnWriteArrayList<>();

        Map<String, Long> snapshot() {
            Map<String, Long> m = new LinkedHashMap<>();
            m.put("list", listRequests.get());
            m.put("metadataList", metadataListRequests.get());
            m.put("get", gets.get());
            m.put("listedObjects", listedObjects.get());
            m.put("bytesSent", bytesSent.get());
            m.put("reportLists", reportLists.get());
            m.put("reportApplies", reportApplies.get());
            m.put("reportDeletes", reportDeletes.get());
            m.put("reportBytes", reportBytes.get());
            m.put("largestReport", largestReport.get());
            m.put("events", events.get());
            return m;
        }
    }

    /** One stored report: enough to list it as metadata. */
    record Report(String namespace, String name, String hash) {
    }

    private final ObjectMapper mapper = new ObjectMapper();
    private final SyntheticCluster cluster;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "synthetic-api");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private final Map<String, NavigableMap<String, Report>> reports = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> stored = new ConcurrentHashMap<>();
    private final AtomicLong resourceVersion = new AtomicLong(1_000_000);
    volatile Traffic traffic = new Traffic();
    private volatile boolean closed;

    SyntheticApiServer(SyntheticCluster cluster) throws IOException {
        this.cluster = cluster;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        // its dispatcher thread takes the priority of the thread that starts it
        Thread starter = new Thread(server::start, "synthetic-api-start");
        starter.setPriority(Thread.MIN_PRIORITY);
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting the synthetic API server", e);
        }
    }

    /** The URL Customs is given as {@code kubernetes.master}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts counting afresh; returns what was counted so far. */
    Traffic reset() {
        Traffic t = traffic;
        traffic = new Traffic();
        return t;
    }

    /** Reports stored now, by resource ({@code reports}, {@code policyreports}). */
    int reports(String plural) {
        NavigableMap<String, Report> m = reports.get(plural);
        return m == null ? 0 : m.size();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getRawPath();
            Map<String, String> query = query(x.getRequestURI().getRawQuery());
            String method = x.getRequestMethod();
            String accept = x.getRequestHeaders().getFirst("Accept");
            boolean metadataOnly = accept != null && accept.contains("as=PartialObjectMetadataList");
            Matcher m;
            if (method.equals("GET") && path.equals("/api/v1/namespaces")) {
                namespaces(x, query);
            } else if (method.equals("GET") && (m = CLUSTER_LIST.matcher(path)).matches()
                    && SyntheticCluster.RESOURCES.containsKey(m.group(1))) {
                list(x, m.group(1), query, metadataOnly);
            } else if (method.equals("GET") && (m = ONE.matcher(path)).matches()
                    && SyntheticCluster.RESOURCES.containsKey(m.group(2))) {
                one(x, m.group(2), m.group(1), m.group(3));
            } else if (method.equals("GET") && (m = REPORT_LIST.matcher(path)).matches()) {
                listReports(x, m.group(1).substring(m.group(1).lastIndexOf('/') + 1), query);
            } else if ((m = REPORT.matcher(path)).matches()) {
                report(x, method, m.group(3), m.group(2), m.group(4));
            } else if ((m = STORED.matcher(path)).matches()) {
                store(x, method, path, m.group(4) == null);
            } else {
                traffic.unexpected.add(method + " " + path);
                status(x, 404, "NotFound", "the synthetic API server does not serve " + path);
            }
        } catch (RuntimeException e) {
            status(x, 500, "InternalError", e.toString());
        }
    }

    private void namespaces(HttpExchange x, Map<String, String> query) throws IOException {
        if ("true".equals(query.get("watch"))) {
            // a watch that never sees a change: held open until its timeout or the end of the benchmark
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, 0);
            long until = System.nanoTime() + Long.parseLong(query.getOrDefault("timeoutSeconds", "300")) * 1_000_000_000L;
            try {
                while (!closed && System.nanoTime() < until) {
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        ObjectNode list = mapper.createObjectNode();
        list.put("kind", "NamespaceList").put("apiVersion", "v1");
        list.putObject("metadata").put("resourceVersion", "1000");
        ArrayNode items = list.putArray("items");
        for (int i = 0; i < SyntheticCluster.NAMESPACES; i++) {
            String name = SyntheticCluster.namespace(i);
            ObjectNode ns = items.addObject();
            ns.put("kind", "Namespace").put("apiVersion", "v1");
            ns.putObject("metadata").put("name", name).put("uid", SyntheticCluster.uid("namespaces", i))
                    .put("resourceVersion", "1000").putObject("labels").put("kubernetes.io/metadata.name", name);
        }
        json(x, 200, list);
    }

    private void list(HttpExchange x, String plural, Map<String, String> query, boolean metadataOnly)
            throws IOException {
        int limit = Integer.parseInt(query.getOrDefault("limit", "0"));
        int from = query.containsKey("continue") ? Integer.parseInt(query.get("continue").substring(2)) : 0;
        int count = SyntheticCluster.RESOURCES.get(plural).count();
        if (limit <= 0) {
            limit = count;
        }
        (metadataOnly ? traffic.metadataListRequests : traffic.listRequests).incrementAndGet();
        List<ObjectNode> items = cluster.page(plural, from, limit, metadataOnly);
        traffic.listedObjects.addAndGet(items.size());
        ObjectNode list = mapper.createObjectNode();
        SyntheticCluster.Resource r = SyntheticCluster.RESOURCES.get(plural);
        list.put("kind", metadataOnly ? "PartialObjectMetadataList" : r.kind() + "List");
        list.put("apiVersion", metadataOnly ? "meta.k8s.io/v1" : r.apiVersion());
        ObjectNode meta = list.putObject("metadata").put("resourceVersion", "1000");
        if (from + limit < count) {
            meta.put("continue", "o:" + (from + limit));
            meta.put("remainingItemCount", count - from - limit);
        }
        ArrayNode array = list.putArray("items");
        items.forEach(array::add);
        json(x, 200, list);
    }

    private void one(HttpExchange x, String plural, String namespace, String name) throws IOException {
        traffic.gets.incrementAndGet();
        int i = SyntheticCluster.index(plural, name);
        if (i < 0 || !SyntheticCluster.namespace(i).equals(namespace)) {
            status(x, 404, "NotFound", plural + " \"" + name + "\" not found");
            return;
        }
        json(x, 200, cluster.object(plural, i, false));
    }

    private void listReports(HttpExchange x, String plural, Map<String, String> query) throws IOException {
        traffic.reportLists.incrementAndGet();
        NavigableMap<String, Report> all = reports.computeIfAbsent(plural, k -> new ConcurrentSkipListMap<>());
        int limit = Integer.parseInt(query.getOrDefault("limit", "500"));
        NavigableMap<String, Report> rest = query.containsKey("continue") ? all.tailMap(query.get("continue"), false)
                : all;
        ObjectNode list = mapper.createObjectNode();
        list.put("kind", "PartialObjectMetadataList").put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = list.putObject("metadata").put("resourceVersion", "1000");
        ArrayNode items = list.putArray("items");
        String last = null;
        for (Map.Entry<String, Report> e : rest.entrySet()) {
            if (items.size() == limit) {
                meta.put("continue", last);
                break;
            }
            Report r = e.getValue();
            ObjectNode m = items.addObject().put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1")
                    .putObject("metadata");
            m.put("name", r.name()).put("namespace", r.namespace());
            m.putObject("labels").put("app.kubernetes.io/managed-by", "customs");
            m.putObject("annotations").put("customs.dev/content-hash", r.hash());
            last = e.getKey();
        }
        json(x, 200, list);
    }

    private void report(HttpExchange x, String method, String plural, String namespace, String name)
            throws IOException {
        NavigableMap<String, Report> all = reports.computeIfAbsent(plural, k -> new ConcurrentSkipListMap<>());
        String key = namespace + "/" + name;
        if (method.equals("DELETE")) {
            traffic.reportDeletes.incrementAndGet();
            status(x, all.remove(key) == null ? 404 : 200, "Success", "deleted");
            return;
        }
        if (!method.equals("PATCH")) {
            status(x, 405, "MethodNotAllowed", method);
            return;
        }
        byte[] body = read(x.getRequestBody());
        traffic.reportApplies.incrementAndGet();
        traffic.reportBytes.addAndGet(body.length);
        traffic.largestReport.accumulateAndGet(body.length, Math::max);
        JsonNode doc = mapper.readTree(body);
        all.put(key, new Report(namespace, name, doc.at("/metadata/annotations/customs.dev~1content-hash").asText()));
        ((ObjectNode) doc.get("metadata")).put("resourceVersion",
                Long.toString(resourceVersion.incrementAndGet()));
        json(x, 200, doc);
    }

    /** Events and Leases: kept as written, with a resource version, optimistic concurrency on update. */
    private void store(HttpExchange x, String method, String path, boolean collection) throws IOException {
        if (path.contains("/events")) {
            traffic.events.incrementAndGet();
        }
        switch (method) {
            case "POST": {
                ObjectNode o = (ObjectNode) mapper.readTree(read(x.getRequestBody()));
                String name = o.at("/metadata/name").asText();
                String key = path + "/" + name;
                o.with("metadata").put("resourceVersion", Long.toString(resourceVersion.incrementAndGet()));
                if (stored.putIfAbsent(key, o) != null) {
                    status(x, 409, "AlreadyExists", name + " already exists");
                    return;
                }
                json(x, 201, o);
                return;
            }
            case "GET": {
                ObjectNode o = collection ? null : stored.get(path);
                if (o == null) {
                    status(x, 404, "NotFound", path + " not found");
                    return;
                }
                json(x, 200, o);
                return;
            }
            case "PUT":
            case "PATCH": {
                ObjectNode current = stored.get(path);
                if (current == null) {
                    status(x, 404, "NotFound", path + " not found");
                    return;
                }
                ObjectNode change = (ObjectNode) mapper.readTree(read(x.getRequestBody()));
                String expected = change.at("/metadata/resourceVersion").asText("");
                if (method.equals("PUT") && !expected.isEmpty()
                        && !expected.equals(current.at("/metadata/resourceVersion").asText())) {
                    status(x, 409, "Conflict", "the object has been modified");
                    return;
                }
                ObjectNode next = method.equals("PUT") ? change : current.deepCopy().setAll(change);
                next.with("metadata").put("resourceVersion", Long.toString(resourceVersion.incrementAndGet()));
                stored.put(path, next);
                json(x, 200, next);
                return;
            }
            default:
                status(x, 405, "MethodNotAllowed", method);
        }
    }

    private void json(HttpExchange x, int code, JsonNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        traffic.bytesSent.addAndGet(bytes.length);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void status(HttpExchange x, int code, String reason, String message) throws IOException {
        ObjectNode s = mapper.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1").put("status", code < 300 ? "Success" : "Failure")
                .put("message", message).put("reason", reason).put("code", code);
        json(x, code, s);
    }

    private static byte[] read(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    /** Every unexpected request so far, deduplicated, for the results. */
    List<String> unexpected() {
        return new ArrayList<>(new java.util.LinkedHashSet<>(traffic.unexpected));
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        threads.shutdownNow();
    }
}
