package dev.customs.image.registry;

import static dev.customs.image.registry.Reviews.message;
import static dev.customs.image.registry.Reviews.pod;
import static dev.customs.image.registry.Reviews.spec;
import static dev.customs.image.registry.Reviews.validate;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code customs.registry.on-error=deny}: an image that cannot be inspected denies, naming the reason. */
@QuarkusTest
@TestProfile(OnErrorDenyIT.Profile.class)
class OnErrorDenyIT {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("customs.registry.on-error", "deny");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RegistryTestResource.class, Map.of("auth", "NONE")));
        }
    }

    @InjectRegistry
    RegistryProxy proxy;

    @Test
    void unavailableImageIsDenied() {
        String image = proxy.authority() + "/deny/missing:1.0";

        JsonNode r = validate(pod("ops", image));

        assertThat(r.path("allowed").asBoolean()).isFalse();
        assertThat(message(r)).contains("[image-unverified] " + image + ": the manifest was not found");
        assertThat(r.path("status").path("details").path("causes").get(0).path("reason").asText())
                .isEqualTo("image-unverified");
    }

    @Test
    void runAsNonRootLeavesRunAsRootOutOfTheUnverifiedRules() {
        ObjectNode pod = pod("ops", proxy.authority() + "/deny/also-missing:1.0");
        spec(pod).putObject("securityContext").put("runAsNonRoot", true);

        String m = message(validate(pod));

        assertThat(m).contains("[image-unverified]").contains("non-root-conflict").doesNotContain("run-as-root");
    }
}
