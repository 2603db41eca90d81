package dev.customs.reliability;

import static dev.customs.image.registry.Reviews.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.customs.image.registry.RegistryProxy;
import dev.customs.image.registry.Reviews;
import dev.customs.image.registry.TestImages;
import dev.customs.image.registry.TestRegistry;

/**
 * Credentials never appear in logs: the packaged Customs, with {@code dev.customs} at DEBUG, reads images from an
 * htpasswd registry and from a registry with a bearer token service, with the right password from its auth-file and
 * with a wrong one, and follows a redirect to a pre-signed blob URL. Its whole stdout and stderr must then carry none of
 * the passwords, their Basic encodings, the tokens the token service issued (nor their signatures), or the pre-signed
 * query. The reviews' answers show each kind of authentication really happened.
 */
class CredentialsInLogsProcessIT {

    private static final Logger LOG = Logger.getLogger(CredentialsInLogsProcessIT.class);

    private static final String WRONG_PASSWORD = "wrong-pass-5c1e";
    private static final String PRESIGNED = "presigned-signature-9d27";
    private static final String NS = "shop";

    @Test
    void aDebugLogOfBasicAuthBearerTokensAndRefusedPasswordsCarriesNoCredential() throws Exception {
        Path log = CustomsProcess.logFile("credentials-in-logs");
        try (TestRegistry basic = TestRegistry.start(TestRegistry.Auth.HTPASSWD);
                TestRegistry token = TestRegistry.start(TestRegistry.Auth.TOKEN);
                RegistryProxy basicProxy = new RegistryProxy(basic.base());
                RegistryProxy basicWrong = new RegistryProxy(basic.base());
                RegistryProxy tokenProxy = new RegistryProxy(token.base());
                RegistryProxy tokenWrong = new RegistryProxy(token.base());
                RegistryProxy blobHost = new RegistryProxy(null)) {
            TestImages.Config clean = TestImages.config().user("10001").labels(TestImages.OCI_LABELS)
                    .entrypoint("/app/server");
            basic.pushImage("creds/app", "1.0", clean, true, Map.of());
            token.pushImage("creds/app", "1.0", clean, true, Map.of());
            TestImages.Config stored = TestImages.config().user("10002").labels(TestImages.OCI_LABELS)
                    .entrypoint("/app/server");
            TestRegistry.Pushed redirected = basic.pushImage("creds/redirected", "1.0", stored, true, Map.of());
            blobHost.answer("/storage/config", RegistryProxy.bytes(200, "application/octet-stream", stored.json()));
            basicProxy.answer("/v2/creds/redirected/blobs/" + redirected.configDigest(), RegistryProxy.redirect(
                    "http://localhost:" + blobHost.port() + "/storage/config?X-Amz-Signature=" + PRESIGNED));

            Path authFile = log.resolveSibling("credentials-auth.json");
            ObjectNode auths = Reviews.MAPPER.createObjectNode();
            ObjectNode entries = auths.putObject("auths");
            entries.putObject(basicProxy.authority()).put("auth", basic(TestRegistry.PASSWORD));
            entries.putObject(basicWrong.authority()).put("auth", basic(WRONG_PASSWORD));
            entries.putObject(tokenProxy.authority()).put("auth", basic(TestRegistry.PASSWORD));
            entries.putObject(tokenWrong.authority()).put("auth", basic(WRONG_PASSWORD));
            Files.writeString(authFile, auths.toString());

            Integer exit;
            try (CustomsProcess customs = CustomsProcess.start(Map.of(
                    "customs.registry.insecure-registries", String.join(",", basicProxy.authority(),
                            basicWrong.authority(), tokenProxy.authority(), tokenWrong.authority()),
                    "customs.registry.allowed-hosts", "localhost:" + blobHost.port() + ","
                            + token.tokens().authority(),
                    "customs.registry.auth-file", authFile.toString(),
                    "quarkus.log.category.\"dev.customs\".level", "DEBUG",
                    "%prod.quarkus.shutdown.delay", "0s"), log)) {
                HttpClient http = HttpClient.newHttpClient();

                assertClean(review(http, customs, basicProxy.authority() + "/creds/app:1.0"));
                assertClean(review(http, customs, basicProxy.authority() + "/creds/redirected:1.0"));
                assertClean(review(http, customs, tokenProxy.authority() + "/creds/app:1.0"));
                assertThat(warning(review(http, customs, basicWrong.authority() + "/creds/app:1.0")))
                        .contains("refused the credentials");
                assertThat(warning(review(http, customs, tokenWrong.authority() + "/creds/app:1.0")))
                        .contains("the token service of " + tokenWrong.authority() + " refused the credentials");

                customs.sigterm();
                exit = customs.awaitExit(Duration.ofSeconds(20));
            }
            assertThat(exit).as("Customs exited").isNotNull();

            List<String> tokens = token.tokens().issued();
            assertThat(tokens).as("bearer tokens issued to Customs").isNotEmpty();
            assertThat(basicProxy.count(s -> s.authorization())).as("basic-authenticated requests").isPositive();
            assertThat(basicWrong.count(s -> s.authorization())).as("requests with the wrong password").isPositive();
            assertThat(tokenProxy.count(s -> s.authorization())).as("bearer-authenticated requests").isPositive();
            assertThat(blobHost.count(s -> s.path().equals("/storage/config"))).isEqualTo(1);

            List<String> secrets = new ArrayList<>(List.of(TestRegistry.PASSWORD, WRONG_PASSWORD,
                    basic(TestRegistry.PASSWORD), basic(WRONG_PASSWORD), PRESIGNED, "X-Amz-Signature"));
            for (String t : tokens) {
                secrets.add(t);
                secrets.add(t.substring(t.lastIndexOf('.') + 1));
            }
            String text = Files.readString(log);
            assertThat(text).as("DEBUG lines of dev.customs were logged").contains("DEBUG [AdmissionHandler] decision=")
                    .contains("DEBUG [RegistryClient] registry redirect");
            // the start-up warm-up review must not reach out to a real registry either (it once looked up Docker Hub)
            assertThat(text).doesNotContain("registry-1.docker.io");
            assertThat(secrets).allSatisfy(secret -> assertThat(text).as("the log (%s)", log).doesNotContain(secret));
            LOG.infof("[figure] credentials: %d log lines (%d at DEBUG) searched for %d secrets (2 passwords, "
                    + "their Basic encodings, %d bearer tokens and their signatures, a pre-signed query): none found",
                    text.lines().count(), text.lines().filter(l -> l.contains(" DEBUG ")).count(), secrets.size(),
                    tokens.size());
        }
    }

    private static String basic(String password) {
        return Base64.getEncoder().encodeToString((TestRegistry.USER + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode review(HttpClient http, CustomsProcess customs, String image) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(customs.validate()).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(Reviews.review(pod(NS, image)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Reviews.MAPPER.readTree(r.body()).path("response");
    }

    private static void assertClean(JsonNode response) {
        assertThat(response.path("allowed").asBoolean()).as("%s", response).isTrue();
        assertThat(response.has("warnings")).as("warnings: the image was read; %s", response).isFalse();
    }

    private static String warning(JsonNode response) {
        assertThat(response.path("warnings").size()).as("%s", response).isEqualTo(1);
        return response.path("warnings").get(0).asText();
    }
}
