package dev.customs.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The parser: BuildKit's reading of a Dockerfile, with the line and column of every instruction and argument. */
class DockerfileParserTest {

    static Dockerfile parse(String text) throws DockerfileException {
        return DockerfileParser.parse("Dockerfile", text);
    }

    static Position at(int line, int column) {
        return new Position(line, column);
    }

    @SuppressWarnings("unchecked")
    static <T extends Instruction> T instruction(Dockerfile d, int index, Class<T> type) {
        Instruction i = d.instructions().get(index);
        assertThat(i).isInstanceOf(type);
        return (T) i;
    }

    static void fails(String text, String where, String problem) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(DockerfileException.class)
                .hasMessage("Dockerfile:" + where + ": " + problem);
    }

    @Test
    void everyInstructionAndArgumentHasItsLineAndColumn() throws Exception {
        Dockerfile d = parse("""
                FROM node:20.11.1-slim AS build
                  WORKDIR /app
                COPY --chown=node:node package.json package-lock.json ./
                USER node
                """);
        Instruction.From from = instruction(d, 0, Instruction.From.class);
        assertThat(from.position()).isEqualTo(at(1, 1));
        assertThat(from.image()).isEqualTo(new Word("node:20.11.1-slim", at(1, 6)));
        assertThat(from.alias()).isEqualTo(new Word("build", at(1, 27)));
        assertThat(from.stageName()).isEqualTo("build");
        Instruction.Other workdir = instruction(d, 1, Instruction.Other.class);
        assertThat(workdir.position()).isEqualTo(at(2, 3));
        assertThat(workdir.args()).containsExactly(new Word("/app", at(2, 11)));
        Instruction.Copy copy = instruction(d, 2, Instruction.Copy.class);
        assertThat(copy.flags()).containsExactly(new Flag("chown", "node:node", at(3, 6)));
        assertThat(copy.sources()).containsExactly(new Word("package.json", at(3, 24)),
                new Word("package-lock.json", at(3, 37)));
        assertThat(copy.destination()).isEqualTo(new Word("./", at(3, 55)));
        assertThat(instruction(d, 3, Instruction.User.class).user()).isEqualTo(new Word("node", at(4, 6)));
    }

    @Test
    void keywordsAreCaseInsensitiveAndAnUnknownOneIsAnErrorWithASuggestion() throws Exception {
        Dockerfile d = parse("from alpine:3.19\nrun echo hi\n");
        assertThat(d.instructions()).extracting(Instruction::keyword).containsExactly("FROM", "RUN");
        fails("FROM alpine:3.19\nRUNN echo hi\n", "2:1", "unknown instruction RUNN (did you mean RUN?)");
        fails("FROM alpine:3.19\n  frobnicate x\n", "2:3", "unknown instruction frobnicate");
    }

    @Test
    void continuationLinesJoinKeepTheirWhitespaceAndSkipCommentsAndBlankLines() throws Exception {
        Dockerfile d = parse("""
                FROM alpine:3.19
                RUN apk add --no-cache \\
                      curl \\
                # a comment inside the continuation

                      jq  \\\t
                    && echo done
                """);
        Instruction.Command run = instruction(d, 1, Instruction.Command.class);
        Word text = run.line().shellText();
        assertThat(text.text()).isEqualTo("apk add --no-cache       curl       jq      && echo done");
        assertThat(text.position()).isEqualTo(at(2, 5));
        assertThat(run.endLine()).isEqualTo(7);
        // an argument on a continuation line keeps its own line and column
        Dockerfile env = parse("FROM alpine:3.19\nENV A=1 \\\n    B=2\n");
        Instruction.KeyValues kv = instruction(env, 1, Instruction.KeyValues.class);
        assertThat(kv.pairs()).extracting(Instruction.Pair::key).containsExactly(new Word("A", at(2, 5)),
                new Word("B", at(3, 5)));
        assertThat(kv.pairs().get(1).value()).isEqualTo(new Word("2", at(3, 7)));
    }

    @Test
    void anEscapedEscapeCharacterDoesNotContinueTheLine() throws Exception {
        Dockerfile d = parse("FROM alpine:3.19\nRUN echo a\\\\\nRUN echo b\n");
        assertThat(d.instructions()).hasSize(3);
        assertThat(instruction(d, 1, Instruction.Command.class).line().shellText().text()).isEqualTo("echo a\\\\");
    }

    @Test
    void aContinuationAtTheEndOfTheFileEndsTheInstruction() throws Exception {
        Dockerfile d = parse("FROM alpine:3.19\nRUN echo a \\");
        assertThat(instruction(d, 1, Instruction.Command.class).line().shellText().text()).isEqualTo("echo a");
    }

    @Test
    void theEscapeDirectiveMakesTheBacktickTheEscapeCharacter() throws Exception {
        Dockerfile d = parse("""
                # escape=`
                FROM mcr.microsoft.com/windows/servercore:ltsc2022
                COPY app C:\\app\\
                RUN dir C:\\app `
                    && echo done
                """);
        assertThat(d.escape()).isEqualTo('`');
        assertThat(d.directives()).containsExactly(new Directive("escape", "`", at(1, 1)));
        assertThat(instruction(d, 1, Instruction.Copy.class).destination().text()).isEqualTo("C:\\app\\");
        assertThat(instruction(d, 2, Instruction.Command.class).line().shellText().text())
                .isEqualTo("dir C:\\app     && echo done");
    }

    @Test
    void directivesAreReadOnlyAtTheTopAndOnlyOnce() throws Exception {
        Dockerfile d = parse("""
                # syntax = docker/dockerfile:1.7
                #check=skip=all
                FROM alpine:3.19
                """);
        assertThat(d.syntax()).contains("docker/dockerfile:1.7");
        assertThat(d.directives()).extracting(Directive::name).containsExactly("syntax", "check");
        // after an ordinary comment, a directive-looking comment is just a comment
        Dockerfile late = parse("# build the app\n# escape=`\nFROM alpine:3.19\nRUN echo \\\n  x\n");
        assertThat(late.escape()).isEqualTo('\\');
        assertThat(late.directives()).isEmpty();
        // an unknown key ends the directives too
        assertThat(parse("# foo=bar\n# escape=`\nFROM alpine:3.19\n").escape()).isEqualTo('\\');
        fails("# escape=`\n# escape=\\\nFROM alpine:3.19\n", "2:1", "only one escape parser directive can be used");
        fails("# escape=x\nFROM alpine:3.19\n", "1:1", "invalid escape token 'x' does not match ` or \\");
    }

    @Test
    void execFormIsAJsonArrayOfStringsWithThePositionOfEachElement() throws Exception {
        Dockerfile d = parse("""
                FROM node:20.11.1
                CMD ["node", "server.js"]
                ENTRYPOINT [ "tini", \\
                  "--" ]
                CMD ["echo", "caf\\u00e9 \\"quoted\\""]
                """);
        Instruction.Command cmd = instruction(d, 1, Instruction.Command.class);
        assertThat(cmd.line().json()).isTrue();
        assertThat(cmd.line().args()).containsExactly(new Word("node", at(2, 6)), new Word("server.js", at(2, 14)));
        Instruction.Command entrypoint = instruction(d, 2, Instruction.Command.class);
        assertThat(entrypoint.line().args()).containsExactly(new Word("tini", at(3, 14)), new Word("--", at(4, 3)));
        assertThat(instruction(d, 3, Instruction.Command.class).line().args()).extracting(Word::text)
                .containsExactly("echo", "café \"quoted\"");
    }

    @Test
    void whatIsNotAJsonArrayIsShellFormAndAnArrayOfNonStringsIsAnError() throws Exception {
        Dockerfile d = parse("""
                FROM node:20.11.1
                CMD ['node', 'server.js']
                CMD ["node", "server.js"] # not a comment
                CMD ["node", "server.js"
                CMD node server.js
                """);
        for (int i = 1; i <= 4; i++) {
            Instruction.Command c = instruction(d, i, Instruction.Command.class);
            assertThat(c.line().json()).as(c.line().toString()).isFalse();
            assertThat(c.line().args()).hasSize(1);
            assertThat(c.line().shellText().position()).isEqualTo(at(i + 1, 5));
        }
        fails("FROM node:20.11.1\nCMD [\"node\", 1]\n", "2:5",
                "when using JSON array syntax (CMD [\"...\"]), arrays must be comprised of strings only");
        fails("FROM node:20.11.1\nENTRYPOINT [[\"a\"]]\n", "2:12",
                "when using JSON array syntax (ENTRYPOINT [\"...\"]), arrays must be comprised of strings only");
        fails("FROM node:20.11.1\nSHELL /bin/bash -c\n", "2:1",
                "SHELL requires the arguments to be in JSON form, e.g. SHELL [\"/bin/bash\", \"-c\"]");
    }

    @Test
    void envAndLabelTakeQuotedPairsAndTheLegacyForm() throws Exception {
        Dockerfile d = parse("""
                FROM alpine:3.19
                ENV A=1 B="two words" C=three\\ words
                ENV LEGACY value with spaces
                LABEL org.opencontainers.image.title="My app" version=1.0
                """);
        Instruction.KeyValues env = instruction(d, 1, Instruction.KeyValues.class);
        assertThat(env.pairs()).extracting(p -> p.key().text() + "=" + p.value().text())
                .containsExactly("A=1", "B=\"two words\"", "C=three\\ words");
        assertThat(env.pairs().get(1).value().position()).isEqualTo(at(2, 11));
        Instruction.KeyValues legacy = instruction(d, 2, Instruction.KeyValues.class);
        assertThat(legacy.pairs()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo(new Word("LEGACY", at(3, 5)));
            assertThat(p.value()).isEqualTo(new Word("value with spaces", at(3, 12)));
        });
        assertThat(instruction(d, 3, Instruction.KeyValues.class).keyword()).isEqualTo("LABEL");
        fails("FROM alpine:3.19\nENV A=1 B\n", "2:9", "can't find = in \"B\"; write it as name=value");
        fails("FROM alpine:3.19\nENV ONLY\n", "2:5",
                "ENV must have two arguments (ENV key=value, or the legacy ENV key value)");
        fails("FROM alpine:3.19\nLABEL\n", "2:1", "LABEL requires at least one argument");
    }

    @Test
    void argDeclaresNamesWithAndWithoutDefaults() throws Exception {
        Dockerfile d = parse("ARG BASE=node:20 TAG\nFROM $BASE\nARG EMPTY= QUOTED=\"a b\"\n");
        Instruction.Arg meta = instruction(d, 0, Instruction.Arg.class);
        assertThat(meta.declarations()).extracting(x -> x.name().text()).containsExactly("BASE", "TAG");
        assertThat(meta.declarations().get(0).value()).isEqualTo(new Word("node:20", at(1, 10)));
        assertThat(meta.declarations().get(1).value()).isNull();
        Instruction.Arg inStage = instruction(d, 2, Instruction.Arg.class);
        assertThat(inStage.declarations()).extracting(x -> x.value().text()).containsExactly("", "\"a b\"");
        fails("FROM alpine:3.19\nARG =x\n", "2:5", "ARG names can not be blank");
    }

    @Test
    void fromTakesAnImageAndOptionallyAStageName() throws Exception {
        Dockerfile d = parse("FROM --platform=$BUILDPLATFORM golang:1.22 as Builder\n");
        Instruction.From f = instruction(d, 0, Instruction.From.class);
        assertThat(f.flag("platform")).contains(new Flag("platform", "$BUILDPLATFORM", at(1, 6)));
        assertThat(f.image().text()).isEqualTo("golang:1.22");
        assertThat(f.stageName()).isEqualTo("builder");
        fails("FROM golang:1.22 AS 2build\n", "1:21",
                "invalid name for build stage: \"2build\", name can't start with a number or contain symbols");
        fails("FROM golang:1.22 builder\n", "1:6", "FROM requires either one or three arguments (FROM image [AS name])");
        fails("FROM\n", "1:1", "FROM requires either one or three arguments (FROM image [AS name])");
    }

    @Test
    void flagsComeBeforeTheArgumentsAndMayRepeat() throws Exception {
        Dockerfile d = parse("""
                FROM node:20.11.1
                RUN --mount=type=secret,id=npmrc,target=/root/.npmrc --mount=type=cache,target=/root/.npm npm ci
                COPY --from=build --link /app/dist /srv
                COPY -- --weird-name /srv/
                """);
        Instruction.Command run = instruction(d, 1, Instruction.Command.class);
        assertThat(run.flags("mount")).extracting(Flag::value).containsExactly(
                "type=secret,id=npmrc,target=/root/.npmrc", "type=cache,target=/root/.npm");
        assertThat(run.line().shellText()).isEqualTo(new Word("npm ci", at(2, 91)));
        Instruction.Copy copy = instruction(d, 2, Instruction.Copy.class);
        assertThat(copy.flags()).containsExactly(new Flag("from", "build", at(3, 6)), new Flag("link", null, at(3, 19)));
        assertThat(instruction(d, 3, Instruction.Copy.class).sources()).extracting(Word::text)
                .containsExactly("--weird-name");
    }

    @Test
    void hereDocumentsAreReadAfterTheirLine() throws Exception {
        Dockerfile d = parse("""
                FROM alpine:3.19
                RUN <<EOF
                set -e
                echo "$HOME"
                EOF
                COPY <<-'CONF' <<"TWO" /etc/app/
                \t\tkey=value
                \tCONF
                second
                TWO
                RUN cat <<EOF > /x && echo "<<NOT" && \\
                  echo done
                contents
                EOF
                USER 10001
                """);
        Instruction.Command run = instruction(d, 1, Instruction.Command.class);
        assertThat(run.heredocs()).singleElement().satisfies(h -> {
            assertThat(h.name()).isEqualTo("EOF");
            assertThat(h.expand()).isTrue();
            assertThat(h.chomp()).isFalse();
            assertThat(h.content()).isEqualTo("set -e\necho \"$HOME\"\n");
            assertThat(h.position()).isEqualTo(at(2, 5));
            assertThat(h.firstLine()).isEqualTo(3);
        });
        assertThat(run.endLine()).isEqualTo(5);
        Instruction.Copy copy = instruction(d, 2, Instruction.Copy.class);
        assertThat(copy.heredocs()).extracting(Heredoc::name, Heredoc::expand, Heredoc::chomp, Heredoc::content)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("CONF", false, true, "key=value\n"),
                        org.assertj.core.groups.Tuple.tuple("TWO", false, false, "second\n"));
        assertThat(copy.sources()).extracting(Word::text).containsExactly("<<-'CONF'", "<<\"TWO\"");
        Instruction.Command cat = instruction(d, 3, Instruction.Command.class);
        assertThat(cat.heredocs()).extracting(Heredoc::content).containsExactly("contents\n");
        assertThat(instruction(d, 4, Instruction.User.class).position()).isEqualTo(at(15, 1));
        fails("FROM alpine:3.19\nRUN <<EOF\necho never ends\n", "2:5",
                "unterminated heredoc: no line \"EOF\" ends the here-document started here");
    }

    @Test
    void onbuildWrapsAnotherInstruction() throws Exception {
        Dockerfile d = parse("FROM node:20.11.1\nONBUILD COPY . /app\nONBUILD RUN <<EOF\nnpm ci\nEOF\n");
        Instruction.Onbuild ob = instruction(d, 1, Instruction.Onbuild.class);
        assertThat(ob.trigger()).isInstanceOf(Instruction.Copy.class);
        assertThat(ob.trigger().position()).isEqualTo(at(2, 9));
        Instruction.Onbuild run = instruction(d, 2, Instruction.Onbuild.class);
        assertThat(((Instruction.Command) run.trigger()).heredocs()).extracting(Heredoc::content)
                .containsExactly("npm ci\n");
        assertThat(run.endLine()).isEqualTo(5);
        fails("FROM node:20.11.1\nONBUILD ONBUILD RUN x\n", "2:9",
                "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        fails("FROM node:20.11.1\nONBUILD FROM x\n", "2:9", "FROM isn't allowed as an ONBUILD trigger");
    }

    @Test
    void healthcheckTakesNoneOrACommand() throws Exception {
        Dockerfile d = parse("""
                FROM nginx:1.27
                HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1
                HEALTHCHECK NONE
                """);
        Instruction.Healthcheck h = instruction(d, 1, Instruction.Healthcheck.class);
        assertThat(h.flag("interval")).map(Flag::value).contains("30s");
        assertThat(h.command().shellText()).isEqualTo(new Word("curl -f http://localhost/ || exit 1", at(2, 32)));
        assertThat(instruction(d, 2, Instruction.Healthcheck.class).command().args()).isEmpty();
        fails("FROM nginx:1.27\nHEALTHCHECK PING x\n", "2:13", "unknown type \"PING\" in HEALTHCHECK (try CMD)");
        fails("FROM nginx:1.27\nHEALTHCHECK NONE x\n", "2:18", "HEALTHCHECK NONE takes no arguments");
    }

    @Test
    void instructionsThatNeedArgumentsSaySo() {
        fails("FROM alpine:3.19\nUSER\n", "2:1", "USER requires exactly one argument");
        fails("FROM alpine:3.19\nCOPY onlyone\n", "2:6",
                "COPY requires at least two arguments (sources and a destination)");
        fails("FROM alpine:3.19\nRUN\n", "2:1", "RUN requires at least one argument");
        fails("FROM alpine:3.19\nEXPOSE\n", "2:1", "EXPOSE requires at least one argument");
    }

    @Test
    void aFileWithoutInstructionsIsAnError() {
        fails("", "1:1", "the file has no instructions");
        fails("# only a comment\n\n", "2:1", "the file has no instructions");
    }

    @Test
    void byteOrderMarkAndCarriageReturnsAreIgnored() throws Exception {
        Dockerfile d = parse("\uFEFFFROM alpine:3.19\r\nUSER 10001\r\n");
        assertThat(instruction(d, 0, Instruction.From.class).image()).isEqualTo(new Word("alpine:3.19", at(1, 6)));
        assertThat(instruction(d, 1, Instruction.User.class).user().text()).isEqualTo("10001");
    }

    @Test
    void linesAndFilesAreBounded() {
        fails("FROM alpine:3.19\nRUN echo " + "x".repeat(DockerfileParser.MAX_LINE) + "\n", "2:1",
                "the line is longer than 65535 characters");
        String huge = "FROM alpine:3.19\n" + "#\n".repeat(DockerfileParser.MAX_FILE / 2);
        fails(huge, "1:1", "the file is larger than 4 MiB, more than any Dockerfile needs");
    }

    @Test
    void theSameTextParsesTheSameEveryTime() throws Exception {
        String text = "FROM alpine:3.19 AS a\nRUN echo 1\nFROM a\nCMD [\"sh\"]\n";
        List<Instruction> first = parse(text).instructions();
        assertThat(parse(text).instructions()).isEqualTo(first);
    }
}
