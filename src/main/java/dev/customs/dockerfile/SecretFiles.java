package dev.customs.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Files that hold credentials by their nature, recognised by name and path: registry and package-manager credentials
 * ({@code .npmrc}, {@code .yarnrc.yml}, {@code .pypirc}, {@code .netrc}, {@code .git-credentials},
 * {@code .docker/config.json}), cloud credentials ({@code .aws/credentials}, a service account's
 * {@code credentials.json}), environment files ({@code .env}, {@code .env.production}, but not {@code .env.example},
 * {@code .sample}, {@code .template} or {@code .dist}), private keys ({@code id_rsa}, {@code id_ed25519}, {@code *.key},
 * {@code *-key.pem}, {@code *.ppk}, SSH host keys, key stores {@code *.p12}, {@code *.pfx}, {@code *.jks}), kubeconfigs,
 * and the other files the layer scan reads by name (Terraform, Vault, Maven master password, RubyGems, Cargo, GitHub
 * CLI, Composer, MySQL client credentials). A public key
 * ({@code .pub}) or a certificate ({@code .crt}, {@code .pem} without "key") is not one. A glob ({@code COPY .env* ./})
 * counts when it matches such a name.
 */
final class SecretFiles {

    private static final Set<String> NAMES = Set.of(".npmrc", ".yarnrc", ".yarnrc.yml", ".pypirc", ".netrc", "_netrc",
            ".git-credentials", ".pgpass", ".my.cnf", ".env", ".dockercfg", "credentials.json", "kubeconfig",
            ".htpasswd", ".vault-token", ".terraformrc", "terraform.rc", "credentials.tfrc.json",
            "settings-security.xml", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519");
    // the files the layer scan (image/layers) looks into by the same names, so a Dockerfile is told at its COPY what
    // the image would be told at admission
    private static final List<String> PATH_SUFFIXES = List.of("/.docker/config.json", "/.aws/credentials",
            "/.kube/config", "/.config/gcloud/application_default_credentials.json", "/.gem/credentials",
            "/.cargo/credentials", "/.cargo/credentials.toml", "/gh/hosts.yml", "/.composer/auth.json",
            "/composer/auth.json", "/etc/kubernetes/admin.conf");
    private static final Set<String> ENV_EXAMPLES = Set.of("example", "sample", "template", "dist", "defaults");
    private static final List<String> KEY_EXTENSIONS = List.of(".key", ".p12", ".pfx", ".jks", ".keystore", ".ppk");
    private static final List<String> PREFIX_EXAMPLES = List.of(".npmrc", ".yarnrc.yml", ".pypirc", ".netrc",
            ".git-credentials", ".env", "id_rsa", "id_ed25519", "credentials.json", "kubeconfig");

    private SecretFiles() {
    }

    /** What kind of credential file a name or path is, for messages; empty when it is none. */
    static Optional<String> kind(String path) {
        String p = path.replace('\\', '/');
        String name = StageEvaluator.lastComponent(p);
        if (name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0) {
            return glob(name);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (String suffix : PATH_SUFFIXES) {
            if (("/" + p).endsWith(suffix)) {
                return Optional.of("a credentials file (" + suffix.substring(1) + ")");
            }
        }
        if (NAMES.contains(lower)) {
            return Optional.of(describe(lower));
        }
        if (lower.startsWith(".env.") && !ENV_EXAMPLES.contains(lower.substring(".env.".length()))) {
            return Optional.of("an environment file (" + name + ")");
        }
        if (p.contains("/.ssh/") && !lower.endsWith(".pub") && !Set.of("known_hosts", "config", "authorized_keys")
                .contains(lower)) {
            return Optional.of("an SSH private key (" + name + ")");
        }
        if (lower.endsWith(".kubeconfig") || lower.startsWith("kubeconfig.")) {
            return Optional.of("a kubeconfig (" + name + ")");
        }
        if (lower.startsWith("ssh_host_") && lower.endsWith("_key")) {
            return Optional.of("an SSH host private key (" + name + ")");
        }
        for (String ext : KEY_EXTENSIONS) {
            if (lower.endsWith(ext) && lower.length() > ext.length()) {
                return Optional.of("a private key or key store (" + name + ")");
            }
        }
        if (lower.endsWith(".pem") && lower.contains("key")) {
            return Optional.of("a private key (" + name + ")");
        }
        return Optional.empty();
    }

    private static String describe(String name) {
        return switch (name) {
            case ".npmrc", ".yarnrc.yml" -> "a package registry credentials file (" + name + ")";
            case ".yarnrc" -> "a package registry credentials file (" + name + ")";
            case ".pypirc", ".netrc", "_netrc", ".git-credentials", ".pgpass", ".my.cnf", ".dockercfg", ".htpasswd",
                    ".terraformrc", "terraform.rc", "credentials.tfrc.json", "settings-security.xml" ->
                "a credentials file (" + name + ")";
            case ".vault-token" -> "a Vault token (.vault-token)";
            case ".env" -> "an environment file (.env)";
            case "credentials.json" -> "a service account key (credentials.json)";
            case "kubeconfig" -> "a kubeconfig";
            default -> "an SSH private key (" + name + ")";
        };
    }

    /**
     * A glob counts when what it spells out names credentials: its literal start begins a credential file's name
     * ({@code .env*}, {@code id_*}), or its literal end is a key file's extension ({@code *.key}). A bare {@code *}
     * does not: it may copy anything, and the build context is not known here.
     */
    private static Optional<String> glob(String name) {
        int first = firstWildcard(name);
        int last = Math.max(name.lastIndexOf('*'), Math.max(name.lastIndexOf('?'), name.lastIndexOf(']')));
        String prefix = name.substring(0, first).toLowerCase(Locale.ROOT);
        String suffix = name.substring(last + 1).toLowerCase(Locale.ROOT);
        if (prefix.length() >= 2) {
            for (String example : PREFIX_EXAMPLES) {
                if (example.startsWith(prefix)) {
                    return Optional.of("files matching " + name + ", such as " + example);
                }
            }
        }
        if (suffix.length() >= 3) {
            for (String ext : KEY_EXTENSIONS) {
                if (suffix.endsWith(ext) || suffix.equals("key.pem") || suffix.equals("-key.pem")) {
                    return Optional.of("files matching " + name + ", which are private keys");
                }
            }
        }
        return Optional.empty();
    }

    private static int firstWildcard(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '*' || s.charAt(i) == '?' || s.charAt(i) == '[') {
                return i;
            }
        }
        return s.length();
    }
}
