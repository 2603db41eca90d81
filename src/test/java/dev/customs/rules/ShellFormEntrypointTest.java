package dev.customs.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ShellFormEntrypoint#check} on effective argvs, and {@link ShellFormEntrypoint#show}, which must never echo
 * more of a command line than the program, its options and the first word of the script. Argvs are written with
 * {@code |} between arguments.
 */
class ShellFormEntrypointTest {

    private static List<String> argv(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split("\\|", -1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', textBlock = """
            sh|-c|node server.js                     ; sh -c does not forward SIGTERM
            /bin/sh|-c|node server.js                ; sh -c does not forward SIGTERM
            /bin/bash|-ec|python app.py              ; bash -c does not forward SIGTERM
            /bin/bash|-e|-c|python app.py            ; bash -c
            /bin/sh|-xc|java -jar app.jar            ; sh -c
            bash|-o|pipefail|-c|./run.sh             ; bash -c
            bash|-eo|pipefail|-c|./run.sh            ; bash -c
            bash|--noprofile|-c|./run.sh             ; bash -c
            bash|-c|--|./run.sh                      ; bash -c
            ash|-c|crond -f                          ; ash -c
            dash|-c|sleep infinity                   ; dash -c
            /usr/bin/zsh|-c|./report                 ; zsh -c
            ksh|-c|run                               ; ksh -c
            sh|-c                                    ; sh -c
            sh|-c|  set -e && exec node             ; sh -c
            sh|-c|execute-me                         ; sh -c
            busybox|sh|-c|httpd -f                   ; sh -c
            env|NODE_ENV=production|sh|-c|node app   ; sh -c
            /usr/bin/env|-i|bash|-c|./run            ; bash -c
            npm|start                                ; npm runs the script through a shell
            npm|run|serve                            ; npm runs
            npm|run-script|serve                     ; npm runs
            npm|--silent|start                       ; npm runs
            npm|test                                 ; npm runs
            /usr/local/bin/npm|start                 ; npm runs
            npx|serve                                ; npx runs
            yarn|start                               ; yarn runs
            yarn|serve                               ; yarn runs
            yarn|run|build                           ; yarn runs
            pnpm|start                               ; pnpm runs
            pnpm|run|start                           ; pnpm runs
            docker-entrypoint.sh|npm|start           ; npm runs
            docker-entrypoint.sh|/bin/sh|-c|npm start ; sh -c does not forward SIGTERM
            /docker-entrypoint.sh|sh|-c|nginx -g daemon-off ; sh -c
            docker-php-entrypoint|sh|-c|php artisan serve ; sh -c
            /__cacert_entrypoint.sh|/bin/sh|-c|java -jar app.jar ; sh -c
            env|-u|HOME|npm|start                    ; npm runs
            exec|npm|start                           ; npm runs
            gosu|node|npm|start                      ; npm runs
            su-exec|1000:1000|yarn|start             ; yarn runs
            sh|-c|exec npm start                     ; npm runs
            sh|-c|exec "$@"|sh|npm|start             ; npm runs
            sh|/docker-entrypoint.sh|sh|-c|nginx     ; sh -c
            docker-entrypoint.sh|gosu|app|env|A=1|sh|-c|run ; sh -c
            """)
    void flagged(String argv, String why) {
        assertThat(ShellFormEntrypoint.check(argv(argv))).get(STRING).contains(why);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "", "node|server.js", "sh|-c|exec node server.js", "sh|-c|  exec node server.js",
            "sh|-c|exec;", "/bin/bash|-ec|exec gunicorn app:app", "bash|-c|--|exec ./run.sh", "sh|/entrypoint.sh",
            "bash|entrypoint.sh|-c", "sh", "/bin/sh", "tini|--|node|server.js", "/sbin/tini|-g|--|sh|-c|node app",
            "tini-static|--|npm|start", "/usr/bin/dumb-init|--|npm|start", "dumb-init|sh|-c|node app",
            "/usr/libexec/podman/catatonit|--|sh|-c|x", "docker-init|--|x", "npm|ci", "npm|install", "npm|--version",
            "npm", "yarn", "yarn|install|--frozen-lockfile", "yarn|--version", "yarn|node|server.js", "pnpm|install",
            "shellcheck|-c|x", "bashful|-c|x", "fish|-c|x", "python|-c|print(1)", "busybox|httpd|-f",
            "env|NODE_ENV=production|node|server.js", "docker-entrypoint.sh|node|server.js",
            "docker-entrypoint.sh|server.js", "docker-entrypoint.sh|redis-server", "docker-entrypoint.sh|--appendonly|yes",
            "docker-entrypoint.sh|postgres", "docker-entrypoint.sh|mysqld", "docker-entrypoint.sh|mongod",
            "/docker-entrypoint.sh|nginx|-g|daemon off;", "docker-php-entrypoint|php|-a",
            "docker-php-entrypoint|-d|memory_limit=1G", "/__cacert_entrypoint.sh|java|-jar|app.jar",
            "docker-entrypoint.sh", "tini|--|docker-entrypoint.sh|npm|start", "docker-entrypoint.sh|tini|--|npm|start",
            "gosu|app|node|server.js", "sh|-c|exec node server.js", "sh|-c|exec \"$@\"|sh|node|app.js",
            "sh|-c|exec $APP", "sh|/docker-entrypoint.sh|nginx|-g|daemon off;", "./entrypoint.sh|npm|start",
            "env|-u|HOME|node|app.js", "sh|-c|exec 'node' \"server.js\"" })
    void notFlagged(String argv) {
        assertThat(ShellFormEntrypoint.check(argv(argv))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', textBlock = """
            sh|-c|node server.js                      ; "sh -c node …"
            /bin/sh|-c|./run.sh                       ; "/bin/sh -c ./run.sh"
            /bin/bash|-ec|python app.py --port 80     ; "/bin/bash -ec python …"
            npm|start                                 ; "npm start"
            npm|run|serve                             ; "npm run …"
            env|A=1|sh|-c|node app                    ; "sh -c node …"
            sh|-c|TOKEN=s3cr3t node app               ; "sh -c TOKEN=… …"
            sh|-c|TOKEN=s3cr3t                        ; "sh -c TOKEN=… …"
            sh|-c|averyveryverylongfirstwordofthescript ; "sh -c averyveryverylongfirstwo…"
            sh|-c|averyveryverylongfirstwordofthescript x ; "sh -c averyveryverylongfirstwo… …"
            """)
    void show(String argv, String shown) {
        assertThat(ShellFormEntrypoint.show(argv(argv))).isEqualTo(shown);
    }

    /** What becomes PID 1, and what was looked through to find it, for the message. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', textBlock = """
            docker-entrypoint.sh|npm|start                      ; npm|start               ; docker-entrypoint.sh
            /usr/local/bin/docker-entrypoint.sh|sh|-c|npm start ; sh|-c|npm start         ; docker-entrypoint.sh
            env|A=1|gosu|app|npm|start                          ; npm|start               ; env|gosu
            sh|/docker-entrypoint.sh|yarn|start                 ; yarn|start              ; docker-entrypoint.sh
            bash|-c|exec docker-entrypoint.sh npm test          ; npm|test                ; bash -c|docker-entrypoint.sh
            sh|-c|npm start                                     ; sh|-c|npm start         ; ''
            """)
    void looksThroughHandOvers(String argv, String pid1, String through) {
        assertThat(ShellFormEntrypoint.analyse(argv(argv))).hasValueSatisfying(f -> {
            assertThat(f.pid1()).isEqualTo(argv(pid1));
            assertThat(f.through()).isEqualTo(argv(through));
        });
    }

    @Test
    void aLoopOfHandOversEnds() {
        List<String> argv = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            argv.add("env");
        }
        argv.addAll(List.of("sh", "-c", "run"));
        assertThat(ShellFormEntrypoint.analyse(argv)).isEmpty();
    }

    @Test
    void showNeverEchoesAssignmentValuesOrLaterArguments() {
        List<String> argv = List.of("sh", "-c", "NPM_TOKEN=npm_FAKEfake curl -H 'Authorization: Bearer abc' x", "y");
        String shown = ShellFormEntrypoint.show(argv);
        assertThat(shown).doesNotContain("npm_FAKEfake").doesNotContain("Bearer").doesNotContain("abc")
                .doesNotContain("y\"");
        String longProgram = ShellFormEntrypoint.show(List.of("/" + "p".repeat(60), "-c", "x"));
        assertThat(longProgram).hasSizeLessThan(60);
    }

    @Test
    void argsAfterAnEntrypointAreJudgedAsTheWholeArgvIsWhetherRememberedOrNot() {
        ShellFormEntrypoint.ArgsMemo memo = new ShellFormEntrypoint.ArgsMemo();
        List<String> entrypoint = List.of("docker-entrypoint.sh");
        ImageVerdict.Process image = ImageVerdict.Process.of(entrypoint, List.of());
        List<String> shell = List.of("sh", "-c", "node server.js");
        List<String> exec = List.of("node", "server.js");
        for (int round = 0; round < 3; round++) {
            assertThat(memo.outcome(image, shell)).isEqualTo(ShellFormEntrypoint.analyse(concat(entrypoint, shell)))
                    .isPresent();
            assertThat(memo.outcome(image, exec)).isEmpty();
            // an equal list that is another verdict's: judged for itself, not taken for the first
            assertThat(memo.outcome(ImageVerdict.Process.of(List.of("/sbin/tini", "--"), List.of()), shell)).isEmpty();
            assertThat(memo.outcome(ImageVerdict.Process.of(new ArrayList<>(entrypoint), List.of()), new ArrayList<>(shell)))
                    .isPresent();
        }
        // many args in turn through a few slots: every answer is still the argv's own
        for (int i = 0; i < 4 * ShellFormEntrypoint.ArgsMemo.SLOTS; i++) {
            List<String> args = i % 2 == 0 ? List.of("sh", "-c", "run " + i) : List.of("app", "--n=" + i);
            assertThat(memo.outcome(image, args)).as("args %s", args).isEqualTo(
                    ShellFormEntrypoint.analyse(concat(entrypoint, args)));
        }
        // past the size the memo keeps: analysed each time, the same answer
        List<String> long_ = List.of("sh", "-c", "x".repeat(ShellFormEntrypoint.ArgsMemo.MAX_CHARS));
        assertThat(memo.outcome(image, long_)).isEqualTo(ShellFormEntrypoint.analyse(concat(entrypoint, long_)))
                .isPresent();
    }

    @Test
    void aPodsOwnCommandIsJudgedAsItsArgvIsWhetherRememberedOrNot() {
        ShellFormEntrypoint.ArgsMemo memo = new ShellFormEntrypoint.ArgsMemo();
        List<String> sh = List.of("/bin/sh", "-c");
        List<String> script = List.of("node server.js");
        for (int round = 0; round < 3; round++) {
            assertThat(memo.command(new ArrayList<>(sh), new ArrayList<>(script)))
                    .isEqualTo(ShellFormEntrypoint.analyse(concat(sh, script))).isPresent();
            assertThat(memo.command(List.of("/bin/sh", "-c", "exec node server.js"), List.of())).isEmpty();
            // the same strings as an image's entrypoint and a pod's args: not taken for the command, nor it for them
            ImageVerdict.Process image = ImageVerdict.Process.of(List.of("/sbin/tini", "--"), List.of());
            assertThat(memo.outcome(image, List.of("sh", "-c", "x"))).isEmpty();
            assertThat(memo.command(List.of("/sbin/tini", "--"), List.of("sh", "-c", "x"))).isEmpty();
            assertThat(memo.command(List.of("sh", "-c", "x"), List.of())).isPresent();
        }
        for (int i = 0; i < 4 * ShellFormEntrypoint.ArgsMemo.SLOTS; i++) {
            List<String> command = i % 2 == 0 ? List.of("sh", "-c", "run " + i) : List.of("app", "--n=" + i);
            assertThat(memo.command(command, List.of("-v"))).as("command %s", command)
                    .isEqualTo(ShellFormEntrypoint.analyse(concat(command, List.of("-v"))));
        }
        List<String> long_ = List.of("sh", "-c", "x".repeat(ShellFormEntrypoint.ArgsMemo.MAX_CHARS));
        assertThat(memo.command(long_, List.of())).isEqualTo(ShellFormEntrypoint.analyse(long_)).isPresent();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
