package dev.customs.rules.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every token shape with a text that holds one and a near miss that must not: a wrong length, a wrong alphabet, a
 * wrong checksum, a missing vendor name. The tokens here are made up; checksummed ones are made valid by computing
 * the checksum.
 */
class TokenShapesTest {

    /** 30 random characters and their CRC32 suffix: a well-formed GitHub/npm token body. */
    static String checksummed(String prefix, String random30) {
        return prefix + random30 + Checksums.crc32Base62Suffix(random30);
    }

    static final String R30 = "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC2";
    static final String GHP = checksummed("ghp_", R30);
    static final String NPM = checksummed("npm_", R30);
    static final String HEX32 = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    static final String HEX40 = HEX32 + "a1b2c3d4";
    static final String B64_86 = "A".repeat(20)
            + "bcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk".substring(0, 66);
    static final String JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    static final String AGE = ageKey();

    /** A valid age secret key: 52 data characters of zeros and the bech32 checksum. */
    static String ageKey() {
        String charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        String hrp = "age-secret-key-";
        int[] data = new int[52];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 7) % 32;
        }
        int[] values = new int[hrp.length() * 2 + 1 + data.length + 6];
        int k = 0;
        for (char c : hrp.toCharArray()) {
            values[k++] = c >> 5;
        }
        values[k++] = 0;
        for (char c : hrp.toCharArray()) {
            values[k++] = c & 31;
        }
        for (int d : data) {
            values[k++] = d;
        }
        int mod = Checksums.bech32Polymod(values) ^ 1;
        StringBuilder sb = new StringBuilder("AGE-SECRET-KEY-1");
        for (int d : data) {
            sb.append(charset.charAt(d));
        }
        for (int i = 0; i < 6; i++) {
            sb.append(charset.charAt((mod >>> (5 * (5 - i))) & 31));
        }
        return sb.toString().toUpperCase();
    }

    /** id → (a text with the token, a near miss). */
    static final Map<String, List<String>> EXAMPLES = new LinkedHashMap<>();

    static void example(String id, String positive, String nearMiss) {
        EXAMPLES.put(id, List.of(positive, nearMiss));
    }

    static {
        example("aws-access-key-id", "key=AKIAIOSFODNN7EXAMPLE", "key=AKIAIOSFODNN7EXAMPL");
        example("aws-secret-access-key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE");
        example("github-token", "git clone https://" + GHP + "@github.com/x/y",
                "git clone https://ghp_" + R30 + "000000@github.com/x/y");
        example("github-refresh-token", "ghr_" + "a1B2".repeat(19), "ghr_" + "a1B2".repeat(18));
        example("github-app-installation-token", "ghs_123456_" + JWT,
                "ghs_123456_eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.signaturepart");
        example("github-fine-grained-pat", "github_pat_" + "A1b2C3d4E5f6G7h8I9j0K1" + "_" + "x".repeat(59),
                "github_pat_" + "A1b2C3d4E5f6G7h8I9j0K1" + "_" + "x".repeat(58));
        example("gitlab-token", "token glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn", "token glpat-Ab1Cd2Ef3Gh4Ij5Kl6M");
        example("gitlab-runner-registration-token", "GR1348941Ab1Cd2Ef3Gh4Ij5Kl6Mn", "GR1348941Ab1Cd2Ef3Gh4Ij5");
        example("private-key",
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n",
                "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----");
        example("huggingface-token", "HF=hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "HF=hf_AbCdEfGhIjKlMnOpQrStUvWxYz");
        example("shopify-token", "shpat_" + HEX32, "shpat_" + HEX32.substring(1) + "g");
        example("slack-token", "xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-not-a-token");
        example("slack-webhook", "https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/AbCdEfGhIjKlMnOpQrStUvWx",
                "https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/short");
        example("gcp-service-account",
                "{\"type\": \"service_account\", \"project_id\": \"p\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMII\"}",
                "{\"type\": \"service_account\", \"project_id\": \"p\", \"client_email\": \"a@p.iam.gserviceaccount.com\"}");
        example("google-api-key", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p");
        example("stripe-secret-key", "STRIPE=sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "STRIPE=pk_live_4eC39HqLyjWDarjtT1zdp7dc");
        example("pypi-token", "pypi-AgEIcHlwaS5vcmc" + "CJDk4Y2E3NzI0LTk5MjMtNDEzMS04ZmY3LWI2ZmYxMWI3ZjZhZAACKlsz",
                "pypi-AgEIcHlwaS5vcmcCJDk4Y2E3NzI0");
        example("heroku-api-key", "HEROKU_API_KEY=01234567-89ab-cdef-0123-456789abcdef",
                "HEROKU_APP=01234567-89ab-cdef-0123-456789abcdef-x");
        example("heroku-token", "HRKU-" + "AbCdEfGhIj".repeat(6), "HRKU-" + "AbCdEfGhIj".repeat(5));
        example("twilio-api-key", "SK" + HEX32, "SK" + HEX32.toUpperCase());
        example("twilio-auth-token", "TWILIO_AUTH_TOKEN=" + HEX32, "TWILIO_ACCOUNT=" + HEX32 + "0");
        example("age-secret-key", AGE, AGE.substring(0, AGE.length() - 1) + (AGE.endsWith("Q") ? "P" : "Q"));
        example("facebook-secret", "FACEBOOK_APP_SECRET=" + HEX32, "FACEBOOK_APP_SECRET=" + HEX32.substring(2));
        example("facebook-access-token", "EAACEdEose0cBA" + "Ab1".repeat(30), "EAACEdEose0cBA" + "Ab1".repeat(10));
        example("twitter-secret", "TWITTER_API_SECRET=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "TWITTER_API_SECRET=AbCdEf");
        example("twitter-bearer-token", "A".repeat(22) + "AbCdEfGh%2B".repeat(7), "A".repeat(22) + "AbCd");
        example("adobe-client-id", "adobe_client_id: \"" + HEX32 + "\"", "adobe_client_id: \"" + HEX32.substring(4) + "\"");
        example("adobe-client-secret", "p8e-AbCdEfGhIjKlMnOpQrStUvWxYz012345", "p8e-AbCdEfGhIjKlMnOpQrStUvWxYz");
        example("alibaba-access-key-id", "LTAI5tAbCdEfGhIjKlMnOpQr", "LTAI5tAbCd");
        example("alibaba-secret", "ALIBABA_SECRET=AbCdEfGhIjKlMnOpQrStUvWxYz0123",
                "ALIBABA_SECRET=AbCdEfGhIjKlMnOpQrStUvWxYz0123456");
        example("asana-secret", "ASANA_CLIENT_SECRET=" + HEX32.substring(0, 32),
                "ASANA_CLIENT_SECRET=" + HEX32.substring(0, 20));
        example("atlassian-api-token", "ATATT3" + "xFfGF0AbCd".repeat(19), "ATATT3" + "xFfGF0AbCd".repeat(5));
        example("atlassian-token", "ATLASSIAN_TOKEN=AbCdEfGhIjKlMnOpQrStUvWx", "ATLASSIAN_TOKEN=AbCdEfGhIjKlMnOpQrStUvWxYz");
        example("bitbucket-app-password", "ATBB" + "AbCdEfGh".repeat(4), "ATBB" + "AbCdEfGh".repeat(3));
        example("bitbucket-secret", "BITBUCKET_CLIENT_SECRET=" + "Ab_-".repeat(16),
                "BITBUCKET_CLIENT_SECRET=" + "Ab_-".repeat(10));
        example("beamer-api-token", "BEAMER_TOKEN=b_" + "AbCd".repeat(11), "BEAMER_TOKEN=c_" + "AbCd".repeat(11));
        example("clojars-token", "CLOJARS_" + "ab12".repeat(15), "CLOJARS_" + "ab12".repeat(14));
        example("contentful-token", "CONTENTFUL_DELIVERY_TOKEN=" + "Ab1_-".repeat(8) + "Ab1", "CONTENTFUL_DELIVERY_TOKEN=Ab1");
        example("databricks-token", "dapi" + "0a1b2c3d".repeat(4), "dapi" + "0a1b2c3z".repeat(4));
        example("discord-secret", "DISCORD_CLIENT_SECRET=" + "AbCdEfGh".repeat(4),
                "DISCORD_CLIENT_SECRET=" + "AbCdEfGh".repeat(3));
        example("discord-webhook", "https://discord.com/api/webhooks/123456789012345678/" + "AbCdEfGhIj".repeat(6) + "Ab",
                "https://discord.com/api/webhooks/123456789012345678/short");
        example("doppler-token", "dp.pt." + "AbCdEfGhIj".repeat(4) + "Abc", "dp.pt." + "AbCdEfGhIj".repeat(3));
        example("dropbox-token", "DROPBOX_TOKEN=sl." + "AbCdEfGhIj".repeat(13) + "AbCdE", "DROPBOX_TOKEN=sl.AbCdEfGhIj");
        example("duffel-token", "duffel_live_" + "AbCdEfGhIj".repeat(4) + "Abc", "duffel_live_" + "AbCdEfGhIj".repeat(4));
        example("dynatrace-token", "dt0c01." + "ABCDEFGHIJKL".repeat(2) + "." + "ABCDEFGH".repeat(8),
                "dt0c01." + "ABCDEFGHIJKL".repeat(2) + "." + "ABCDEFGH".repeat(7));
        example("easypost-token", "EZAK" + "AbCdEfGhI".repeat(6), "EZAK" + "AbCdEfGhI".repeat(5));
        example("fastly-token", "FASTLY_API_TOKEN=" + "AbCd_-Gh".repeat(4), "FASTLY_API_TOKEN=" + "AbCd_-Gh".repeat(3));
        example("finicity-secret", "FINICITY_APP_SECRET=AbCdEfGhIjKlMnOpQrSt", "FINICITY_APP_SECRET=AbCdEfGhIjKlMnOpQr");
        example("flutterwave-key", "FLWSECK_TEST-" + "abcdef01".repeat(4) + "-X",
                "FLWSECK_TEST-" + "abcdef01".repeat(4) + "-Y");
        example("frameio-token", "fio-u-" + "AbCd_-=1".repeat(8), "fio-u-" + "AbCd_-=1".repeat(7));
        example("gocardless-token", "GOCARDLESS_ACCESS_TOKEN=live_" + "AbCd_-=123".repeat(4),
                "GOCARDLESS_ACCESS_TOKEN=live_AbCd");
        example("grafana-token", "glsa_" + "AbCdEfGh".repeat(4) + "_0a1b2c3d", "glsa_" + "AbCdEfGh".repeat(4) + "_0a1b2c3z");
        example("terraform-token", "AbCdEfGhIjKlMn.atlasv1." + "AbCd_-=123".repeat(7), "AbCdEfGhIjKlMn.atlasv1.AbCd");
        example("vault-token", "hvs." + "AbCdEfGhIj".repeat(10), "hvs.AbCdEfGhIj");
        example("hubspot-token", "pat-na1-01234567-89ab-cdef-0123-456789abcdef",
                "pat-na1-01234567-89ab-cdef-0123-456789abcdeg");
        example("hubspot-api-key", "HUBSPOT_API_KEY=01234567-89ab-cdef-0123-456789abcdef", "HUBSPOT_API_KEY=01234567-89ab");
        example("intercom-token", "INTERCOM_ACCESS_TOKEN=" + "AbCdEfGhIj".repeat(6), "INTERCOM_ACCESS_TOKEN=AbCdEfGhIj");
        example("ionic-token", "IONIC_TOKEN=ion_" + "AbCdEfGhIjKlMn".repeat(3), "IONIC_TOKEN=ion_AbCdEf");
        example("jwt", "Authorization: Bearer " + JWT,
                "version eyJhbGciOiJub3BlIn0xx.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmN".replace("eyJhbGciOiJub3BlIn0xx",
                        "eyNotBase64AtAll0xx"));
        example("linear-token", "lin_api_" + "AbCdEfGhIj".repeat(4), "lin_api_" + "AbCdEfGhIj".repeat(3));
        example("linear-secret", "LINEAR_CLIENT_SECRET=" + HEX32, "LINEAR_CLIENT_SECRET=" + HEX32.toUpperCase());
        example("lob-key", "LOB_API_KEY=live_" + HEX32 + "abc", "LOB_API_KEY=live_" + HEX32);
        example("mailchimp-key", "MC=" + HEX32 + "-us20", "MC=" + HEX32 + "-uk20");
        example("mailgun-key", "MAILGUN_API_KEY=key-" + HEX32, "MAILGUN_API_KEY=key-" + HEX32.substring(2));
        example("mapbox-secret-token",
                "sk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2V4YW1wbGUwMDAwMDAwMDAwMDAwMDAwMDAwIn0.AbCdEfGhIjKlMnOpQrStUv",
                "pk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2V4YW1wbGUwMDAwMDAwMDAwMDAwMDAwMDAwIn0.AbCdEfGhIjKlMnOpQrStUv");
        example("messagebird-key", "MESSAGEBIRD_API_KEY=AbCdEfGhIjKlMnOpQrStUvWxY",
                "MESSAGEBIRD_API_KEY=AbCdEfGhIjKlMnOpQrStUvWx");
        example("newrelic-key", "NRAK-ABCDEFGHIJKLMNOPQRSTUVWXYZ0", "NRJS-0123456789abcdef012");
        example("newrelic-license-key", "NEWRELIC_LICENSE_KEY=" + "0A1B2C3D4E5F".repeat(3) + "NRAL",
                "NEWRELIC_LICENSE_KEY=0A1B2C3D4E5FNRAL");
        example("npm-token", "//registry.npmjs.org/:_authToken=" + NPM, "X=npm_" + R30 + "AAAAAA");
        example("npm-auth-token", "//registry.npmjs.org/:_authToken=Ab1Cd2Ef3",
                "//registry.npmjs.org/:_authToken=${NPM_TOKEN}");
        example("planetscale-token", "pscale_tkn_" + "AbCdEfGhIj".repeat(4) + "Abc", "pscale_tkn_AbCdEfGhIj");
        example("packagist-token", "packagist_uut_" + "0a1b2c3d".repeat(8) + "0a1b", "packagist_uut_" + "0a1b2c3d".repeat(8));
        example("postman-token", "PMAK-" + "0a1b2c3d".repeat(3) + "-" + "0a1b2c3d".repeat(4) + "0a",
                "PMAK-" + "0a1b2c3d".repeat(3) + "-" + "0a1b2c3d".repeat(4));
        example("pulumi-token", "pul-" + HEX40, "pul-" + HEX40.substring(1));
        example("rubygems-token", "rubygems_" + HEX40 + "0a1b2c3d", "rubygems_" + HEX40);
        example("sendgrid-token", "SG." + "AbCdEfGhIjKlMnOpQrStUv" + "." + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE",
                "SG." + "AbCdEfGhIjKlMnOpQrStUv" + "." + "AbCdEf");
        example("sendinblue-token", "xkeysib-" + HEX32 + HEX32 + "-AbCdEfGhIjKlMnOp", "xkeysib-" + HEX32 + "-AbCdEfGhIjKlMnOp");
        example("shippo-token", "shippo_live_" + HEX40, "shippo_live_" + HEX32);
        example("linkedin-secret", "LINKEDIN_CLIENT_SECRET=AbCdEfGhIjKlMnOp", "LINKEDIN_CLIENT_SECRET=AbCdEfGhIjKlMnOpQr");
        example("twitch-token", "TWITCH_API_TOKEN=abcdefghij0123456789abcdefghij", "TWITCH_API_TOKEN=abcdefghij0123456789");
        example("typeform-token", "tfp_" + "AbCdEfGhIj".repeat(5) + "AbCdEfGhI", "tfp_AbCdEfGhIj");
        example("docker-hub-token", "dckr_pat_AbCdEfGhIjKlMnOpQrStUvWxYz0", "dckr_pat_AbCdEf");
        example("docker-config-auth", "{\"auths\": {\"registry.example.com\": {\"auth\": \"dXNlcjpwYXNzd29yZA==\"}}}",
                "{\"auths\": {\"registry.example.com\": {}}, \"credsStore\": \"desktop\"}");
        example("dockerconfigjson", ".dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeSI6eyJhdXRoIjoiIn19fQ==",
                ".dockerconfigjson: {{ .Values.pullSecret }}");
        example("symfony-default-secret", "APP_SECRET=ThisTokenIsNotSoSecretChangeIt", "APP_SECRET=ThisTokenIsNotSoSecret");
        example("azure-storage-key", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + B64_86 + "==",
                "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + B64_86.substring(2) + "==");
        example("azure-shared-access-key", "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey="
                + B64_86.substring(0, 43) + "=", "SharedAccessKeyName=RootManageSharedAccessKey");
        example("azure-sas-token", "https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01&sig="
                + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2BAb%3D", "https://a.blob.core.windows.net/c?sv=2022-11-02&sig=short");
        example("azure-entra-client-secret", "secret=Ab18Q~" + "AbCdEfGhIj".repeat(3) + "Abcd", "secret=Ab18Q~AbCdEf");
        example("azure-key-with-signature", "KEY=" + "AbCd".repeat(13) + "JQQJ99BDACAbCdEfGhIjKl",
                "KEY=" + "AbCd".repeat(10) + "JQQJ99BDACAbCdEfGhIjKl");
        example("azure-devops-pat", "AZURE_DEVOPS_PAT=" + "abcdefghijklmnopqrstuvwxyz234567".repeat(2).substring(0, 52),
                "AZURE_DEVOPS_PAT=" + "abcdefghijklmnopqrstuvwxyz234567".repeat(2).substring(0, 50));
        example("azure-app-config", "Endpoint=https://cfg.azconfig.io;Id=AbCd-l0-s0:AbCd;Secret=" + "AbCdEfGh12".repeat(4),
                "Endpoint=https://cfg.azconfig.io;Id=AbCd-l0-s0:AbCd;Secret=short");
        example("openai-key", "OPENAI_API_KEY=sk-proj-" + "AbCdEfGhIj".repeat(3) + "T3BlbkFJ" + "AbCdEfGhIj".repeat(3),
                "OPENAI_API_KEY=sk-proj-" + "AbCdEfGhIj".repeat(3) + "T3BlbkFX" + "AbCdEfGhIj".repeat(3));
        example("anthropic-key", "sk-ant-api03-" + "AbCdEfGhIj".repeat(9) + "AA",
                "sk-ant-api03-" + "AbCdEfGhIj".repeat(2) + "AA");
    }

    static Stream<Arguments> examples() {
        return EXAMPLES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue().get(0), e.getValue().get(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void eachShapeFindsItsTokenAndNotItsNearMiss(String id, String positive, String nearMiss) {
        TokenShapes.Shape shape = TokenShapes.all().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no shape " + id));
        assertThat(shape.matches(positive)).as("%s finds %s", id, positive).isTrue();
        assertThat(TokenShapes.found(positive)).as("the literal pre-filter lets %s through", id).contains(shape);
        assertThat(TokenShapes.found(nearMiss)).as("%s near miss %s", id, nearMiss).doesNotContain(shape);
    }

    @Test
    void everyShapeHasAnExampleAndEveryExampleAShape() {
        List<String> ids = TokenShapes.all().stream().map(TokenShapes.Shape::id).toList();
        assertThat(EXAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void everyCategoryOfTrivysBuiltinRulesIsCovered() {
        // the vendor categories of Trivy's built-in secret rules (pkg/fanal/secret/builtin-rules.go), by our names
        List<String> categories = List.of("AWS", "GitHub", "GitLab", "Private key", "Shopify", "Slack", "Google",
                "Stripe", "PyPI", "Heroku", "Twilio", "age", "Facebook", "Twitter", "Adobe", "Alibaba", "Asana",
                "Atlassian", "Bitbucket", "Beamer", "Clojars", "Contentful", "Databricks", "Discord", "Doppler",
                "Dropbox", "Duffel", "Dynatrace", "EasyPost", "Fastly", "Finicity", "Flutterwave", "Frame.io",
                "GoCardless", "Grafana", "HashiCorp", "HubSpot", "Intercom", "Ionic", "JWT", "Linear", "Lob",
                "Mailchimp", "Mailgun", "Mapbox", "MessageBird", "New Relic", "npm", "PlanetScale", "Private Packagist",
                "Postman", "Pulumi", "RubyGems", "SendGrid", "Brevo (Sendinblue)", "Shippo", "LinkedIn", "Twitch",
                "Typeform", "Docker", "Hugging Face", "Symfony", "Azure", "OpenAI");
        assertThat(TokenShapes.all().stream().map(TokenShapes.Shape::category).collect(Collectors.toSet()))
                .containsAll(categories);
        // Maven's settings.xml passwords are recognised as a secret file (SecretFiles), not as a token shape
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            // official images' GPG fingerprints, checksums and versions
            "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
            "GPG_KEYS=B42F6819007F00F88E364FD4036A9C25BF357DD4 4ED778F539E3634C779C87C6D7062848A1AB005C",
            "PYTHON_SHA256=8fb5f9fbc7609fa822cb31549884575db7fd9657cbffb89510b5d7975963a83a",
            "NODE_VERSION=20.17.0", "YARN_VERSION=1.22.22", "GOLANG_VERSION=1.23.2",
            "JAVA_VERSION=jdk-21.0.4+7", "RUBY_DOWNLOAD_SHA256=d8f4f61bb1e81b5a1e44ad5ea0e4d2d57e3b4ad3bc70b1e7e5f6c2d5",
            "PHP_SHA256=c0f5d4f5d1d7a5b7f0c1b2a3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3",
            "PHP_ASC_URL=https://www.php.net/distributions/php-8.3.12.tar.xz.asc",
            "RUN /bin/sh -c set -eux; curl -fsSL https://nodejs.org/dist/v20.17.0/SHASUMS256.txt.asc",
            "RUN gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys 7953AC1FBC3DC8B3B292393ED5E9E43F7DF9EE8C",
            "sha512:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "MAVEN_SHA=a555254d6b53d267965a3404ecb14e53c3827c09c3b94b5678835887ab404556bfaf78dcda5e0cb7a8b7c3a8c63b1e2c",
            "registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097",
            "TOKENIZERS_PARALLELISM=false", "skip_this_task=1", "disk space task", "ASK00000000000000000000000000000000" })
    void noShapeOnOfficialImageValues(String text) {
        assertThat(TokenShapes.found(text)).isEmpty();
    }

    @Test
    void theFirstShapeIsReported() {
        Optional<TokenShapes.Shape> s = TokenShapes.first("GH=" + GHP + " NPM=" + NPM);
        assertThat(s).map(TokenShapes.Shape::id).contains("github-token");
    }
}
