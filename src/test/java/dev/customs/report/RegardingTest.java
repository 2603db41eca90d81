package dev.customs.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.ObjectReference;

class RegardingTest {

    private final ObjectMapper json = new ObjectMapper();

    private JsonNode obj(String s) throws Exception {
        return json.readTree(s.replace('\'', '"'));
    }

    @Test
    void aWorkloadIsItsOwnSubject() throws Exception {
        ObjectReference r = Regarding.of(obj("{'metadata':{'name':'web','uid':'u1'}}"), "apps/v1", "Deployment",
                "shop");
        assertThat(r.getKind()).isEqualTo("Deployment");
        assertThat(r.getName()).isEqualTo("web");
        assertThat(r.getNamespace()).isEqualTo("shop");
        assertThat(r.getApiVersion()).isEqualTo("apps/v1");
        assertThat(r.getUid()).isEqualTo("u1");
    }

    @Test
    void aControllerMadePodPointsAtItsOwner() throws Exception {
        ObjectReference r = Regarding.of(obj("{'metadata':{'name':'web-5d9f-abcde','ownerReferences':["
                + "{'apiVersion':'v1','kind':'Node','name':'n1'},"
                + "{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'web-5d9f','uid':'rs','controller':true}]}}"),
                "v1", "Pod", "shop");
        assertThat(r.getKind()).isEqualTo("ReplicaSet");
        assertThat(r.getName()).isEqualTo("web-5d9f");
        assertThat(r.getUid()).isEqualTo("rs");
        assertThat(r.getNamespace()).isEqualTo("shop");
    }

    @Test
    void aStandalonePodIsItsOwnSubject() throws Exception {
        ObjectReference r = Regarding.of(obj("{'metadata':{'name':'debug'}}"), "v1", "Pod", "shop");
        assertThat(r.getKind()).isEqualTo("Pod");
        assertThat(r.getName()).isEqualTo("debug");
    }

    @Test
    void generateNameOnlyUsesTheOwnerOrElseTheNamespace() throws Exception {
        ObjectReference owned = Regarding.of(obj("{'metadata':{'generateName':'job-','ownerReferences':["
                + "{'apiVersion':'batch/v1','kind':'CronJob','name':'nightly'}]}}"), "batch/v1", "Job", "ops");
        assertThat(owned.getKind()).isEqualTo("CronJob");
        assertThat(owned.getName()).isEqualTo("nightly");

        ObjectReference orphan = Regarding.of(obj("{'metadata':{'generateName':'x-'}}"), "v1", "Pod", "ops");
        assertThat(orphan.getKind()).isEqualTo("Namespace");
        assertThat(orphan.getName()).isEqualTo("ops");
        // the API server accepts an Event only in the namespace of what it regards (422 otherwise)
        assertThat(orphan.getNamespace()).isEqualTo("ops");
    }
}
