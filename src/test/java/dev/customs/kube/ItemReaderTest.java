package dev.customs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
}
