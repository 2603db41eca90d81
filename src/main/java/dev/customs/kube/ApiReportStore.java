package dev.customs.kube;

import java.io.IOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.audit.ReportStore;
import dev.customs.reports.ReportDocument;
import dev.customs.reports.ReportFormat;

/**
 * Reports in the API server: listed as metadata only, by Customs' label, a page at a time; written by server-side apply
 * as field manager {@code customs} (create or replace in one request, and a no-op for the API server when nothing
 * changed); deleted by name. Needs list, create, patch and delete on the report resource, nothing else.
 */
public final class ApiReportStore implements ReportStore {

    /** The field manager of Customs' writes. */
    public static final String FIELD_MANAGER = "customs";
    private static final int PAGE = 500;
    private static final int MAX_PAGE_BYTES = 16 * 1024 * 1024;

    private final KubeApi api;
    private final ObjectMapper mapper;
    private final KubeApi.Body page = new KubeApi.Body(MAX_PAGE_BYTES);

    public ApiReportStore(KubeApi api, ObjectMapper mapper) {
        this.api = api;
        this.mapper = mapper;
    }

    @Override
    public void existing(ReportFormat format, Existing sink) throws StoreFailed, InterruptedException {
        String token = null;
        try {
            do {
                Map<String, String> query = new LinkedHashMap<>();
                query.put("labelSelector", ReportDocument.MANAGED_BY_LABEL + "=" + ReportDocument.MANAGED_BY);
                query.put("limit", Integer.toString(PAGE));
                query.put("continue", token);
                try {
                    api.get(KubeApi.path(format.clusterPath(), query), KubeApi.METADATA_ONLY, page);
                } catch (KubeApiException e) {
                    if (e.code() == 410 && e.continueToken() != null) {
                        token = e.continueToken();
                        continue;
                    }
                    throw new StoreFailed(e.code(), e.getMessage());
                }
                token = readPage(sink);
            } while (token != null);
        } finally {
            page.reset();
        }
    }

    private String readPage(Existing sink) throws StoreFailed {
        String token = null;
        try (JsonParser p = mapper.createParser(page.array(), 0, page.size())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new StoreFailed(0, "the report list is not a list");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    String c = ((JsonNode) p.readValueAsTree()).path("continue").asText("");
                    token = c.isEmpty() ? null : c;
                } else if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode meta = ItemReader.read(p, ItemReader.Mode.FULL).path("metadata");
                        sink.report(meta.path("namespace").asText(""), meta.path("name").asText(""),
                                parseHash(meta.path("annotations").path(ReportDocument.CONTENT_HASH_ANNOTATION)
                                        .asText("")));
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new StoreFailed(0, "the report list is not valid JSON: " + e.getMessage());
        }
        return token;
    }

    static long parseHash(String hex) {
        if (hex.length() != 16) {
            return 0;
        }
        try {
            return HexFormat.fromHexDigitsToLong(hex);
        } catch (IllegalArgumentException e) {
            return 0;
        }
    }

    @Override
    public void apply(ReportFormat format, ObjectNode report) throws StoreFailed, InterruptedException {
        try {
            api.apply(format.path(report.at("/metadata/namespace").asText(), report.at("/metadata/name").asText()),
                    report, FIELD_MANAGER);
        } catch (KubeApiException e) {
            throw new StoreFailed(e.code(), e.getMessage());
        }
    }

    @Override
    public void delete(ReportFormat format, String namespace, String name) throws StoreFailed, InterruptedException {
        try {
            api.delete(format.path(namespace, name));
        } catch (KubeApiException e) {
            throw new StoreFailed(e.code(), e.getMessage());
        }
    }
}
