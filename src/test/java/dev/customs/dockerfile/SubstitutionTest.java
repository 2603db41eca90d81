package dev.customs.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.customs.dockerfile.Substitution.Value;

/** Quotes, escapes and variables in a Dockerfile word, with values the check cannot know kept apart. */
class SubstitutionTest {

    static final Map<String, Value> VARS = Map.of("NAME", Value.known("app"), "EMPTY", Value.known(""), "VERSION",
            Value.known("1.2.3"), "TAG", Value.argument("TAG"), "HOME", Value.unknown("the base image's environment"),
            "PATH", Value.known("/usr/local/bin:/usr/bin:/bin"));

    static Substitution.Result word(String raw) throws Substitution.Failure {
        return Substitution.word(raw, '\\', VARS::get);
    }

    static String text(String raw) throws Substitution.Failure {
        Substitution.Result r = word(raw);
        assertThat(r.known()).as(raw + " is known").isTrue();
        return r.text();
    }

    @Test
    void quotesAndEscapesAreProcessed() throws Exception {
        assertThat(text("\"two words\"")).isEqualTo("two words");
        assertThat(text("'$NAME stays'")).isEqualTo("$NAME stays");
        assertThat(text("\"$NAME expands\"")).isEqualTo("app expands");
        assertThat(text("a\\ b")).isEqualTo("a b");
        assertThat(text("\\$NAME")).isEqualTo("$NAME");
        assertThat(text("\"a\\\"b\"")).isEqualTo("a\"b");
        assertThat(text("\"C:\\path\"")).isEqualTo("C:\\path");
        assertThat(Substitution.word("C:\\app\\", '`', VARS::get).text()).isEqualTo("C:\\app\\");
        assertThatThrownBy(() -> word("\"open")).hasMessage(
                "unexpected end of statement while looking for matching double-quote");
        assertThatThrownBy(() -> word("'open")).hasMessage(
                "unexpected end of statement while looking for matching single-quote");
    }

    @Test
    void variablesAndTheirModifiers() throws Exception {
        assertThat(text("$NAME-${VERSION}")).isEqualTo("app-1.2.3");
        assertThat(text("${UNSET}x$UNSET")).isEqualTo("x");
        assertThat(text("${UNSET:-fallback} ${EMPTY:-fallback} [${EMPTY-not used}]")).isEqualTo("fallback fallback []");
        assertThat(text("${NAME:+set} ${UNSET:+set} ${EMPTY+set} ${EMPTY:+set}")).isEqualTo("set  set ");
        assertThat(text("${VERSION%.*} ${VERSION%%.*} ${VERSION#*.} ${VERSION##*.}")).isEqualTo("1.2 1 2.3 3");
        assertThat(text("${PATH/bin/sbin} ${PATH//bin/sbin}"))
                .isEqualTo("/usr/local/sbin:/usr/bin:/bin /usr/local/sbin:/usr/sbin:/sbin");
        assertThat(text("${NAME:?must be set}")).isEqualTo("app");
        assertThatThrownBy(() -> word("${UNSET:?must be set}")).hasMessage("UNSET: must be set");
        assertThatThrownBy(() -> word("${NAME")).hasMessage("syntax error: missing '}'");
        assertThatThrownBy(() -> word("${:x}")).hasMessage("syntax error: bad substitution");
        assertThatThrownBy(() -> word("${NAME:#x}")).hasMessage("unsupported modifier (:#) in substitution");
        assertThat(text("$ alone and $1 and cost$")).isEqualTo("$ alone and  and cost$");
    }

    @Test
    void aBuildArgumentWithoutDefaultIsUnknownButItsDefaultFormIsWhatDockerBuilds() throws Exception {
        Substitution.Result bare = word("node:$TAG");
        assertThat(bare.known()).isFalse();
        assertThat(bare.text()).isEqualTo("node:" + Substitution.UNKNOWN);
        assertThat(bare.display()).isEqualTo("node:$TAG");
        assertThat(bare.unknown()).containsExactly("build argument TAG, which has no default");
        assertThat(text("node:${TAG:-20}")).isEqualTo("node:20");
        assertThat(text("node:${TAG-20}")).isEqualTo("node:20");
        assertThat(text("x${TAG:+-suffix}")).isEqualTo("x");
        Substitution.Result base = word("${HOME:-/root}/.npmrc");
        assertThat(base.known()).isFalse();
        assertThat(base.display()).isEqualTo("${HOME:-/root}/.npmrc");
        assertThat(base.unknown()).containsExactly("the base image's environment");
    }

    @Test
    void hereDocumentContentExpandsVariablesOnly() throws Exception {
        Substitution.Result r = Substitution.variablesOnly("name='$NAME' \"x\" \\n $HOME", VARS::get);
        assertThat(r.display()).isEqualTo("name='app' \"x\" \\n $HOME");
        assertThat(r.known()).isFalse();
    }
}
