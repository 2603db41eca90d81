package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ImageReference#parse} against the grammar of {@code github.com/distribution/reference}. */
class ImageReferenceTest {

    private static final String SHA = "sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            nginx                                     | docker.io            | library/nginx         | -           | -
            nginx:1.25                                | docker.io            | library/nginx         | 1.25        | -
            nginx:latest                              | docker.io            | library/nginx         | latest      | -
            library/nginx:1.25                        | docker.io            | library/nginx         | 1.25        | -
            docker.io/nginx                           | docker.io            | library/nginx         | -           | -
            index.docker.io/nginx:1                   | docker.io            | library/nginx         | 1           | -
            registry-1.docker.io/library/nginx:1      | docker.io            | library/nginx         | 1           | -
            bitnami/redis:7.2                         | docker.io            | bitnami/redis         | 7.2         | -
            localhost                                 | docker.io            | library/localhost     | -           | -
            localhost/app                             | localhost            | app                   | -           | -
            localhost:5000/app                        | localhost:5000       | app                   | -           | -
            localhost:5000/app:1.0                    | localhost:5000       | app                   | 1.0         | -
            registry:443/repo                         | registry:443         | repo                  | -           | -
            registry:443/repo:2024.01                 | registry:443         | repo                  | 2024.01     | -
            registry.example.com/team/sub/app:v1.2.3  | registry.example.com | team/sub/app          | v1.2.3      | -
            example.com/latest:v1.0.0                 | example.com          | latest                | v1.0.0      | -
            myOrg/app:1.0                             | myOrg                | app                   | 1.0         | -
            [::1]:5000/app:1.0                        | [::1]:5000           | app                   | 1.0         | -
            [fd00::1]/team/app                        | [fd00::1]            | team/app              | -           | -
            a_b/c__d/e-f---g.h:Tag_1.2-3              | docker.io            | a_b/c__d/e-f---g.h    | Tag_1.2-3   | -
            """)
    void parsesReferences(String ref, String registry, String repository, String tag, String digest) {
        ImageReference r = ImageReference.parse(ref);
        assertThat(r.error()).as(ref).isNull();
        assertThat(r.registry()).isEqualTo(registry);
        assertThat(r.repository()).isEqualTo(repository);
        assertThat(r.tag()).isEqualTo(tag);
        assertThat(r.digest()).isEqualTo(digest);
        assertThat(r.original()).isEqualTo(ref);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "app@" + SHA, "app:latest@" + SHA, "gcr.io/project/app@" + SHA,
            "localhost:5000/app:1.0@" + SHA })
    void digestsPin(String ref) {
        ImageReference r = ImageReference.parse(ref);
        assertThat(r.valid()).isTrue();
        assertThat(r.digest()).isEqualTo(SHA);
        assertThat(r.floating()).isFalse();
        assertThat(r.normalized()).endsWith("@" + SHA);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            nginx                       | true  | latest | docker.io/library/nginx          | nginx
            nginx:latest                | true  | latest | docker.io/library/nginx:latest   | nginx
            nginx:Latest                | false | Latest | docker.io/library/nginx:Latest   | nginx
            nginx:1.25                  | false | 1.25   | docker.io/library/nginx:1.25     | nginx
            localhost:5000/app          | true  | latest | localhost:5000/app               | localhost:5000/app
            example.com/latest:v1.0.0   | false | v1.0.0 | example.com/latest:v1.0.0        | example.com/latest
            """)
    void floatingEffectiveTagAndForms(String ref, boolean floating, String effectiveTag, String normalized,
            String written) {
        ImageReference r = ImageReference.parse(ref);
        assertThat(r.floating()).isEqualTo(floating);
        assertThat(r.effectiveTag()).isEqualTo(effectiveTag);
        assertThat(r.normalized()).isEqualTo(normalized);
        assertThat(r.writtenName()).isEqualTo(written);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { " ", "\t" })
    void emptyIsInvalid(String ref) {
        ImageReference r = ImageReference.parse(ref);
        assertThat(r.valid()).isFalse();
        assertThat(r.error()).isEqualTo("the image reference is empty");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ' nginx:1.25'                     | leading or trailing whitespace
            'nginx:1.25 '                     | leading or trailing whitespace
            Nginx                             | repository names must be lowercase ("Nginx")
            Nginx:1.25                        | repository names must be lowercase ("Nginx")
            example.com/Team/app:1.0          | repository names must be lowercase ("Team")
            ghcr.io/Org/app:1                 | repository names must be lowercase ("Org")
            nginx:                            | "" is not a valid tag
            nginx:-1                          | "-1" is not a valid tag
            'nginx:a b'                       | is not a valid tag
            :1.0                              | has no repository name
            @sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1 | has no repository name
            app@sha256:abc                    | "sha256:abc" is not a valid digest
            app@                              | "" is not a valid digest
            app@md5                           | is not a valid digest
            app@sha256:4BCFF63911FCB4448BD4FDACEC207030997CAF25E9BEA4045FA6C8C44DE311D1 | 64 lowercase hex digits
            a//b                              | "" is not a valid repository path component
            -app                              | "-app" is not a valid repository path component
            app-                              | "app-" is not a valid repository path component
            a___b                             | "a___b" is not a valid repository path component
            app:1.0:2.0                       | "app:1.0" is not a valid repository path component
            example.com:abc/app               | "example.com:abc" is not a valid registry host
            -bad.example.com/app              | "-bad.example.com" is not a valid registry host
            example.com/                      | "" is not a valid repository path component
            """)
    void invalidReferencesSayWhy(String ref, String why) {
        ImageReference r = ImageReference.parse(ref);
        assertThat(r.valid()).as(ref).isFalse();
        assertThat(r.error()).contains(why);
        assertThat(r.registry()).isNull();
        assertThat(r.repository()).isNull();
        assertThat(r.normalized()).isEqualTo(ref);
    }

    @Test
    void lengthLimits() {
        assertThat(ImageReference.parse("app:" + "t".repeat(128)).valid()).isTrue();
        assertThat(ImageReference.parse("app:" + "t".repeat(129)).error()).contains("is not a valid tag");
        assertThat(ImageReference.parse("example.com/" + "a".repeat(243)).valid()).isTrue();
        assertThat(ImageReference.parse("example.com/" + "a".repeat(244)).error())
                .isEqualTo("the repository name is longer than 255 characters");
        assertThat(ImageReference.parse("app@sha512:" + "0".repeat(128)).valid()).isTrue();
    }

    @Test
    void aReferenceParsedAgainIsTheSameInstanceAndNeverAnotherOne() {
        String written = "ghcr.io/acme/api:1.2.3";
        ImageReference first = ImageReference.parse(new String(written));
        assertThat(ImageReference.parse(new String(written))).isSameAs(first);
        // many more references than the memo has slots, twice over: each parse is the reference asked for
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 3 * ImageReference.MEMO_SLOTS; i++) {
                ImageReference r = ImageReference.parse("registry.example.com:5000/team" + i + "/app:" + i);
                assertThat(r.original()).isEqualTo("registry.example.com:5000/team" + i + "/app:" + i);
                assertThat(r.registry()).isEqualTo("registry.example.com:5000");
                assertThat(r.repository()).isEqualTo("team" + i + "/app");
                assertThat(r.tag()).isEqualTo(Integer.toString(i));
            }
        }
        // a reference longer than the memo keeps is parsed anew each time, to the same result
        String longer = "ghcr.io/acme/" + "x".repeat(ImageReference.MEMO_MAX_CHARS) + ":1";
        assertThat(ImageReference.parse(longer)).isNotSameAs(ImageReference.parse(longer))
                .isEqualTo(ImageReference.parse(longer));
    }
}
