package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LeakedSecret#scan}: what counts as a credential in Env and history, and that no value is ever shown. */
class LeakedSecretTest {

    private static final String GHP = "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";
    private static final String NPM = "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";
    private static final String AKIA = "AKIAIOSFODNN7EXAMPLE";

    private static List<String> env(String... entries) {
        return descriptions(new ImageConfig(null, "", null, null, List.of(entries), null, null));
    }

    private static List<String> history(String... createdBy) {
        return descriptions(new ImageConfig(null, "", null, null, null, null,
                List.of(createdBy).stream().map(c -> new ImageConfig.History(c, false)).toList()));
    }

    private static List<String> descriptions(ImageConfig config) {
        return LeakedSecret.scan(config).stream().map(ImageVerdict.Secret::description).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            NPM_TOKEN=x                            | NPM_TOKEN in Env
            GITHUB_TOKEN=abc                       | GITHUB_TOKEN in Env
            APP_SECRET=abc                         | APP_SECRET in Env
            DB_PASSWORD=abc                        | DB_PASSWORD in Env
            LDAP_PASSWD=abc                        | LDAP_PASSWD in Env
            MAPS_API_KEY=abc                       | MAPS_API_KEY in Env
            AWS_SECRET_ACCESS_KEY=abc              | AWS_SECRET_ACCESS_KEY in Env
            SSH_PRIVATE_KEY=abc                    | SSH_PRIVATE_KEY in Env
            db_password=abc                        | db_password in Env
            TOKEN=abc                              | TOKEN in Env
            GH=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  | a GitHub token (gh?_…) in Env GH
            X=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   | an npm token (npm_…) in Env X
            AWS_KEY_ID=AKIAIOSFODNN7EXAMPLE        | an AWS access key id (AKIA…) in Env AWS_KEY_ID
            NPM_CONFIG=//r/:_authToken=abc123      | an npm registry _authToken in Env NPM_CONFIG
            GL=glpat-abcdefghij0123456789          | a GitLab token (glpat-…) in Env GL
            SECRET_KEY=django-insecure-abc123      | SECRET_KEY in Env
            DJANGO_SECRET_KEY=abc123               | DJANGO_SECRET_KEY in Env
            SECRET_KEY_BASE=0a1b2c3d4e             | SECRET_KEY_BASE in Env
            STRIPE_SECRET_KEY=abc123               | STRIPE_SECRET_KEY in Env
            AZURE_STORAGE_ACCOUNT_KEY=abc123       | AZURE_STORAGE_ACCOUNT_KEY in Env
            SECRET_PASSPHRASE=correct-horse        | SECRET_PASSPHRASE in Env
            GITHUB_PAT=abc123                      | GITHUB_PAT in Env
            apikey=abc123                          | apikey in Env
            MAPS_APIKEY=abc123                     | MAPS_APIKEY in Env
            dbPassword=abc123                      | dbPassword in Env
            NPMTOKEN=abc123                        | NPMTOKEN in Env
            CLIENT_CREDENTIALS=abc123              | CLIENT_CREDENTIALS in Env
            BASIC_AUTH=user:abc123                 | BASIC_AUTH in Env
            DB_PASS=abc123                         | DB_PASS in Env
            JWT_SIGNING_KEY=abc123                 | JWT_SIGNING_KEY in Env
            GPG_PASSPHRASE=abc123                  | GPG_PASSPHRASE in Env
            INITIAL_ADMIN_PASSWORD=abc123          | INITIAL_ADMIN_PASSWORD in Env
            STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc | a Stripe secret key (sk_live_…) in Env STRIPE
            HOOK=https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFG/AbCdEfGhIjKlMnOpQrStUvWx | a Slack webhook URL (hooks.slack.com/…) in Env HOOK
            """)
    void envCredentials(String entry, String finding) {
        assertThat(env(entry)).containsExactly(finding);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "PATH=/usr/local/bin:/usr/bin", "TOKEN_FILE=/run/secrets/token",
            "NPM_TOKEN_FILE=/run/secrets/npm", "DB_PASSWORD_PATH=/etc/db/password", "NPM_TOKEN=", "NPM_TOKEN=   ",
            "NPM_TOKEN", "API_KEY=$API_KEY", "DB_PASSWORD=${DB_PASSWORD}", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
            "TOKENIZERS_PARALLELISM=false", "NODE_VERSION=20.17.0", "AKIA=short", "X=ghp_tooShort",
            "X=xnpm_FAKEfakeFAKEfakeFAKEfakeFAKEfa2Qvhzg", "NPM_CONFIG=_authToken=${NPM_TOKEN}",
            "GH=ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234", "MYSQL_ALLOW_EMPTY_PASSWORD=yes",
            "MYSQL_RANDOM_ROOT_PASSWORD=yes", "MYSQL_ONETIME_PASSWORD=yes", "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1",
            "MARIADB_RANDOM_ROOT_PASSWORD=true", "POSTGRES_HOST_AUTH_METHOD=trust", "PASSWORD=changeme",
            "API_TOKEN=<token>", "API_TOKEN=xxxxxxxx", "GITHUB_TOKEN=your-token-here", "API_KEY=YOUR_API_KEY",
            "DB_PASSWORD={{ .Values.password }}", "SECRET_KEY=$(SECRET_KEY)", "AWS_ACCESS_KEY_ID=AKIA",
            "GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json", "PUBLIC_KEY=abc123", "PWD=/app",
            "GPG_KEYS=B42F6819007F00F88E364FD4036A9C25BF357DD4", "SECRET_NAME=db-credentials",
            "TOKEN_URL=https://auth.example.com/token", "AUTH=none", "KEY=value", "SORT_KEY=name",
            "JWT_ALGORITHM=HS256", "PASSWORD_MIN_LENGTH=12", "PAT=1", "NPM_TOKEN=false" })
    void envNonCredentials(String entry) {
        assertThat(env(entry)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            '|1 NPM_TOKEN=abc /bin/sh -c npm ci'                                 | NPM_TOKEN (build argument) in history[0]
            'RUN |1 NPM_TOKEN=abc /bin/sh -c npm ci # buildkit'                  | NPM_TOKEN (build argument) in history[0]
            '|2 NODE_ENV=production NPM_TOKEN=abc /bin/sh -c npm ci'             | NPM_TOKEN (build argument) in history[0]
            '|1 NPM_TOKEN="a b" /bin/sh -c npm ci'                               | NPM_TOKEN (build argument) in history[0]
            '/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2'                         | DB_PASSWORD (ENV) in history[0]
            'ENV DB_PASSWORD=hunter2'                                            | DB_PASSWORD (ENV) in history[0]
            'ENV A=1 DB_PASSWORD=hunter2'                                        | DB_PASSWORD (ENV) in history[0]
            '/bin/sh -c #(nop)  ENV DB_PASSWORD hunter2'                         | DB_PASSWORD (ENV) in history[0]
            'ARG DEPLOY_TOKEN=abc'                                               | DEPLOY_TOKEN (ARG) in history[0]
            '/bin/sh -c #(nop)  ARG DEPLOY_TOKEN=abc'                            | DEPLOY_TOKEN (ARG) in history[0]
            'RUN /bin/sh -c echo //registry.npmjs.org/:_authToken=0f3e9a1b2c4d > .npmrc'  | an npm registry _authToken in history[0]
            'RUN /bin/sh -c git clone https://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@github.com/x/y' | a GitHub token (gh?_…) in history[0]
            """)
    void historyCredentials(String createdBy, String finding) {
        assertThat(history(createdBy)).containsExactly(finding);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "ARG NPM_TOKEN", "/bin/sh -c #(nop)  ARG NPM_TOKEN", "ARG NPM_TOKEN=",
            "|1 NPM_TOKEN= /bin/sh -c npm ci", "|1 NPM_TOKEN=$NPM_TOKEN /bin/sh -c npm ci",
            "RUN --mount=type=secret,id=npm,target=/root/.npmrc /bin/sh -c npm ci # buildkit",
            "ENV TOKEN_FILE=/run/secrets/token", "/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin",
            "RUN /bin/sh -c npm ci # buildkit", "|1 NODE_ENV=production /bin/sh -c npm ci",
            "COPY . /app # buildkit", "" })
    void historyNonCredentials(String createdBy) {
        assertThat(history(createdBy)).isEmpty();
    }

    @Test
    void everyPlaceIsListedOnceInOrder() {
        List<String> found = descriptions(new ImageConfig(null, "", null, null,
                List.of("NPM_TOKEN=abc", "PATH=/bin", "GH=" + GHP),
                null, List.of(new ImageConfig.History("ARG NPM_TOKEN", true),
                        new ImageConfig.History("|1 NPM_TOKEN=abc /bin/sh -c npm ci", false),
                        new ImageConfig.History("|1 NPM_TOKEN=abc /bin/sh -c npm run build", false))));
        assertThat(found).containsExactly("NPM_TOKEN in Env", "a GitHub token (gh?_…) in Env GH",
                "NPM_TOKEN (build argument) in history[1]", "NPM_TOKEN (build argument) in history[2]");
    }

    @Test
    void noFindingShowsAValue() {
        List<String> secrets = List.of(GHP, NPM, AKIA, "hunter2hunter2", "s3cr3t-v4lue", "abc123abc123", "FAKEfake");
        List<String> found = descriptions(new ImageConfig(null, "", null, null,
                List.of("GH=" + GHP, "NPM=" + NPM, "AWS=" + AKIA, "DB_PASSWORD=hunter2hunter2",
                        "NPMRC=//r/:_authToken=abc123abc123"),
                null, List.of(new ImageConfig.History("|1 GITHUB_TOKEN=s3cr3t-v4lue /bin/sh -c make", false),
                        new ImageConfig.History("RUN /bin/sh -c curl -u " + AKIA + ":x https://example.com", false),
                        new ImageConfig.History("ENV DB_PASSWORD=hunter2hunter2", true))));
        assertThat(found).hasSize(8);
        for (String f : found) {
            for (String s : secrets) {
                assertThat(f).doesNotContain(s);
            }
        }
    }
}
