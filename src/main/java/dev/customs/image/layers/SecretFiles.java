package dev.customs.image.layers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.customs.rules.secrets.SecretNames;
import dev.customs.rules.secrets.TokenShapes;

/**
 * Which files in a layer are secrets: files known by name to hold credentials ({@code .npmrc}, {@code .pypirc},
 * {@code .netrc}, {@code .git-credentials}, {@code .docker/config.json}, {@code .aws/credentials}, {@code .env},
 * SSH and PEM private keys, PKCS#12 stores, kubeconfigs, Terraform, Maven, ...) when their content holds one, and small
 * text files that contain a {@link TokenShapes token shape}. A named file that holds only settings (an {@code .npmrc}
 * with a registry URL, an {@code .env.example} with placeholders, a public key) is not a secret.
 *
 * <p>
 * Package managers' and the system's own trees ({@code usr/share}, {@code usr/lib}, {@code site-packages},
 * {@code node_modules}, test directories, ...) are not searched for token shapes or key files: they ship test keys and
 * example tokens that no image author put there. Credential files by name are found everywhere.
 */
final class SecretFiles {

    /** Files larger than this are read only when named as a secret file. */
    static final int SMALL_TEXT = 64 * 1024;
    /** A named secret file is read up to this many bytes. */
    static final int NAMED_MAX = 256 * 1024;

    /** Why a file's content is read. */
    enum Interest {
        NONE,
        NAMED,
        SMALL_TEXT
    }

    private record Kind(String what, Predicate<String> name, Predicate<byte[]> holdsSecret) {
    }

    private static final List<String> SKIPPED_PREFIXES = List.of("usr/share/", "usr/lib/", "usr/lib64/",
            "usr/libexec/", "usr/local/lib/", "usr/local/share/", "usr/include/", "usr/local/include/", "usr/src/",
            "lib/", "lib64/", "var/lib/", "var/cache/", "var/log/", "proc/", "sys/", "dev/", "etc/ssl/certs/",
            "usr/local/go/", "opt/java/", "usr/lib/jvm/", "etc/ca-certificates/", "usr/bin/",
            "usr/sbin/", "bin/", "sbin/");
    private static final List<String> SKIPPED_SEGMENTS = List.of("/site-packages/", "/dist-packages/",
            "/node_modules/", "/test/", "/tests/", "/testdata/", "/__pycache__/", "/.git/", "/vendor/", "/go/pkg/mod/",
            "/.cache/", "/gems/", "/.m2/repository/", "/fixtures/", "/examples/", "/doc/", "/docs/");
    private static final Set<String> ENV_EXAMPLES = Set.of("example", "sample", "template", "dist", "tmpl", "tpl",
            "defaults", "default", "schema", "test", "ci");

    private static final List<Kind> KINDS = new ArrayList<>();

    private static void kind(String what, Predicate<String> name, Predicate<byte[]> holdsSecret) {
        KINDS.add(new Kind(what, name, holdsSecret));
    }

    private static Predicate<byte[]> value(String regex) {
        Pattern p = Pattern.compile(regex);
        return content -> {
            Matcher m = p.matcher(text(content));
            while (m.find()) {
                if (SecretNames.literalValue("TOKEN", m.group(1))) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<byte[]> contains(String literal) {
        return content -> text(content).contains(literal);
    }

    private static Predicate<String> base(String... names) {
        Set<String> set = Set.of(names);
        return path -> set.contains(baseName(path));
    }

    private static Predicate<String> endsWith(String... suffixes) {
        return path -> {
            String p = "/" + path;
            for (String s : suffixes) {
                if (p.endsWith(s)) {
                    return true;
                }
            }
            return false;
        };
    }

    static {
        kind("npm credentials (.npmrc)", base(".npmrc", "npmrc"),
                value("(?m)_(?:authToken|auth|password)[\"']?\\s*=\\s*[\"']?([^\\s\"']+)"));
        kind("npm credentials (.yarnrc)", base(".yarnrc"),
                value("(?m)_(?:authToken|auth|password)[\"']?\\s*[= ]\\s*[\"']?([^\\s\"']+)"));
        kind("npm credentials (.yarnrc.yml)", base(".yarnrc.yml"),
                value("(?m)npmAuth(?:Token|Ident)\\s*:\\s*[\"']?([^\\s\"'#]+)"));
        kind("PyPI credentials (.pypirc)", base(".pypirc"), value("(?m)^\\s*password\\s*[:=]\\s*(\\S+)"));
        kind("netrc credentials (.netrc)", base(".netrc", "_netrc"), value("(?:^|\\s)password\\s+(\\S+)"));
        kind("git credentials (.git-credentials)", base(".git-credentials"),
                value("(?m)[a-z][a-z0-9+.-]*://[^:/\\s@]+:([^@\\s]+)@"));
        kind("registry credentials (.docker/config.json)", endsWith("/.docker/config.json", "/.dockercfg"),
                value("\"(?:auth|identitytoken|password|registrytoken)\"\\s*:\\s*\"([^\"]{4,})\""));
        kind("AWS credentials (.aws/credentials)", endsWith("/.aws/credentials"),
                value("(?mi)^\\s*aws_(?:secret_access_key|session_token)\\s*=\\s*(\\S+)"));
        kind("a kubeconfig with credentials", path -> {
            String b = baseName(path);
            return path.endsWith(".kube/config") || b.equals("kubeconfig") || b.endsWith(".kubeconfig")
                    || b.startsWith("kubeconfig.") || path.endsWith("etc/kubernetes/admin.conf");
        }, value("(?m)^\\s*(?:token|client-key-data|password)\\s*:\\s*[\"']?([^\\s\"']+)"));
        kind("Terraform credentials", base(".terraformrc", "terraform.rc", "credentials.tfrc.json"),
                value("\"?token\"?\\s*[:=]\\s*\"([^\"]+)\""));
        kind("a Maven server password (settings.xml)", base("settings.xml"),
                value("<password>\\s*([^<{$\\s][^<]*)</password>"));
        kind("a Maven master password (settings-security.xml)", base("settings-security.xml"),
                value("<master>\\s*([^<\\s][^<]*)</master>"));
        kind("a PostgreSQL password file (.pgpass)", base(".pgpass"), value("(?m)^[^:#\\s][^:]*:[^:]*:[^:]*:[^:]*:(.+)$"));
        kind("a MySQL password (.my.cnf)", base(".my.cnf"), value("(?m)^\\s*password\\s*=\\s*(\\S+)"));
        kind("RubyGems credentials (.gem/credentials)", endsWith("/.gem/credentials"),
                value("(?m)^:rubygems_api_key:\\s*(\\S+)"));
        kind("Cargo credentials (.cargo/credentials)", endsWith("/.cargo/credentials", "/.cargo/credentials.toml"),
                value("(?m)^\\s*token\\s*=\\s*\"([^\"]+)\""));
        kind("GitHub CLI credentials (gh/hosts.yml)", endsWith("/gh/hosts.yml"),
                value("(?m)oauth_token\\s*:\\s*(\\S+)"));
        kind("Composer credentials (auth.json)", endsWith("/.composer/auth.json", "/composer/auth.json"),
                value("\"(?:password|token|github\\.com|gitlab\\.com|bitbucket-oauth)\"\\s*:\\s*\"([^\"]{4,})\""));
        kind("a Vault token (.vault-token)", base(".vault-token"), value("^\\s*(\\S{8,})"));
        kind("an SSH private key", path -> {
            String b = baseName(path);
            return !b.endsWith(".pub") && (b.startsWith("id_rsa") || b.startsWith("id_dsa") || b.startsWith("id_ecdsa")
                    || b.startsWith("id_ed25519") || (b.startsWith("ssh_host_") && b.endsWith("_key")));
        }, contains("PRIVATE KEY-----"));
        kind("a private key", path -> {
            String b = baseName(path).toLowerCase(Locale.ROOT);
            return !skipped(path) && (b.endsWith(".pem") || b.endsWith(".key") || b.endsWith(".ppk"));
        }, content -> text(content).contains("PRIVATE KEY-----") || text(content).startsWith("PuTTY-User-Key-File"));
        kind("a PKCS#12 key store", path -> {
            String b = baseName(path).toLowerCase(Locale.ROOT);
            return !skipped(path) && (b.endsWith(".p12") || b.endsWith(".pfx"));
        }, content -> content.length > 16 && content[0] == 0x30);
    }

    private SecretFiles() {
    }

    static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** True for trees the system and package managers own, which are not searched for token shapes or keys. */
    static boolean skipped(String path) {
        for (String p : SKIPPED_PREFIXES) {
            if (path.startsWith(p)) {
                return true;
            }
        }
        String slashed = "/" + path;
        for (String s : SKIPPED_SEGMENTS) {
            if (slashed.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** A {@code .env} file ({@code .env}, {@code .env.production}, {@code prod.env}), not an example of one. */
    static boolean envFile(String path) {
        String b = baseName(path).toLowerCase(Locale.ROOT);
        if (b.equals(".env")) {
            return true;
        }
        String[] parts = b.split("\\.");
        if (b.startsWith(".env.")) {
            for (String p : parts) {
                if (ENV_EXAMPLES.contains(p)) {
                    return false;
                }
            }
            return true;
        }
        return b.endsWith(".env") && parts.length == 2 && !ENV_EXAMPLES.contains(parts[0]);
    }

    /** Whether a regular file's content is read. */
    static Interest interest(String path, long size) {
        if (envFile(path)) {
            return Interest.NAMED;
        }
        for (Kind k : KINDS) {
            if (k.name().test(path)) {
                return Interest.NAMED;
            }
        }
        if (size > 0 && size <= SMALL_TEXT && !skipped(path)) {
            return Interest.SMALL_TEXT;
        }
        return Interest.NONE;
    }

    /** What a file holds, e.g. {@code npm credentials (.npmrc)}; empty when it holds no secret. */
    static List<String> judge(String path, Interest interest, byte[] content) {
        Set<String> found = new LinkedHashSet<>();
        if (interest == Interest.NAMED) {
            if (envFile(path)) {
                List<String> names = envSecrets(text(content));
                if (!names.isEmpty()) {
                    found.add("credentials in a .env file (" + String.join(", ", names) + ")");
                }
            }
            for (Kind k : KINDS) {
                if (k.name().test(path) && k.holdsSecret().test(content)) {
                    found.add(k.what());
                    break;
                }
            }
        }
        if (found.isEmpty() && content.length <= SMALL_TEXT && !binary(content)
                && (interest == Interest.SMALL_TEXT || !skipped(path))) {
            TokenShapes.found(text(content)).forEach(s -> found.add(s.description()));
        }
        return List.copyOf(found);
    }

    private static final Pattern ENV_LINE = Pattern
            .compile("(?m)^[ \\t]*(?:export[ \\t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \\t]*=[ \\t]*(.*?)[ \\t]*$");

    /** The names a .env file assigns a literal credential to. */
    static List<String> envSecrets(String text) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = ENV_LINE.matcher(text);
        while (m.find() && names.size() < 10) {
            String value = m.group(2);
            if (!value.startsWith("\"") && !value.startsWith("'")) {
                int hash = value.indexOf(" #");
                value = hash >= 0 ? value.substring(0, hash) : value;
            }
            if (SecretNames.secretAssignment(m.group(1), value)) {
                names.add(m.group(1));
            }
        }
        return List.copyOf(names);
    }

    static boolean binary(byte[] content) {
        int n = Math.min(content.length, 1024);
        for (int i = 0; i < n; i++) {
            if (content[i] == 0) {
                return true;
            }
        }
        return false;
    }

    /** One byte per char: tokens are ASCII, and no decoding error can occur. */
    static String text(byte[] content) {
        return new String(content, StandardCharsets.ISO_8859_1);
    }
}
