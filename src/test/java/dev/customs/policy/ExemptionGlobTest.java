package dev.customs.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exemption image patterns: {@code *} stands for any characters, everything else for itself. Matched without a
 * backtracking regular expression, so a long invalid image cannot make a pattern of several stars cost seconds (the
 * time bound is shown by the reliability suite, not here).
 */
class ExemptionGlobTest {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            docker.io/library/busybox:*          | docker.io/library/busybox:1.36           | true
            docker.io/library/busybox:*          | docker.io/library/busybox                | false
            *                                    | anything at all                          | true
            *                                    | ''                                       | true
            ''                                   | ''                                       | true
            a*b*c                                | abc                                      | true
            a*b*c                                | a-b-c                                    | true
            a*b*c                                | acb                                      | false
            a*b*c                                | abcb                                     | false
            a*b*c                                | abcbc                                    | true
            *ab*ab*                              | xabyab                                   | true
            *ab*ab*                              | xaby                                     | false
            *aba*                                | ab                                       | false
            a*a                                  | a                                        | false
            a**a                                 | aa                                       | true
            registry.k8s.io/pause@sha256:*       | registry.k8s.io/pause@sha256:0123        | true
            registry.k8s.io/pause@sha256:*       | registry.k8s.io/pause:3.9                | false
            ghcr.io/*/tools/*:v*                 | ghcr.io/team/tools/lint:v2               | true
            ghcr.io/*/tools/*:v*                 | ghcr.io/team/tools/lint:2                | false
            *.*.*.*                              | a.b.c                                    | false
            *.*.*.*                              | a.b.c.d                                  | true
            x*y*z                                | xyz.yz                                   | true
            x*y*z                                | xzy                                      | false
            """)
    void starsStandForAnyCharacters(String pattern, String text, boolean matches) {
        assertThat(Exemption.glob(pattern, text)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            docker.io/library/busybox:*          | busybox                                  | true
            docker.io/library/busybox:*          | busybox:1.36                             | true
            docker.io/library/busybox:latest     | busybox                                  | true
            docker.io/library/busybox:1.*        | busybox                                  | false
            *:*:*:*:*                            | NOT A VALID::::: REFERENCE                | true
            """)
    void imagesAreMatchedOnTheirNormalisedReference(String pattern, String image, boolean matches) {
        assertThat(Exemption.imageMatches(pattern, image)).isEqualTo(matches);
    }
}
