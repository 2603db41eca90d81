package dev.customs.rules.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which variable names hold a credential, and which values are not one.
 *
 * <p>
 * A name is split into words at {@code _}, {@code -}, {@code .} and lower-to-upper case changes ({@code dbPassword} →
 * {@code DB PASSWORD}). It names a credential when its last word is one ({@code TOKEN}, {@code SECRET},
 * {@code PASSWORD}, {@code PASSWD}, {@code PASS}, {@code PWD}, {@code PASSPHRASE}, {@code APIKEY}, {@code CREDENTIAL(S)},
 * {@code PAT}, {@code AUTH}), when it ends in a key that is secret ({@code API_KEY}, {@code SECRET_KEY},
 * {@code ACCESS_KEY}, {@code PRIVATE_KEY}, {@code ACCOUNT_KEY}, {@code MASTER_KEY}, {@code SIGNING_KEY}, ... and
 * {@code *_KEY_BASE}), or when a glued last word ends in one ({@code NPMTOKEN}). Words that make the variable about a
 * credential rather than the credential itself end it without a finding: {@code *_FILE}, {@code *_PATH},
 * {@code *_DIR}, {@code *_URL}, {@code *_NAME}, {@code *_ID}, {@code *_TYPE}, ... A {@code PUBLIC} key is not secret,
 * nor is a {@code GPG_KEY} (a fingerprint, as the official images set it).
 *
 * <p>
 * A value is a credential unless it is empty, a reference ({@code $X}, {@code ${X}}, Kubernetes' {@code $(X)}), a file
 * path, a placeholder ({@code changeme}, {@code <token>}, {@code xxx}, {@code your-token-here}, {@code {{ .token }}}, ...)
 * or a boolean; the official database images' switches ({@code MYSQL_ALLOW_EMPTY_PASSWORD=yes},
 * {@code MYSQL_RANDOM_ROOT_PASSWORD=1}, {@code MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1}) are names with a switch word and a
 * mode value.
 */
public final class SecretNames {

    private static final Set<String> SECRET_LAST = Set.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "PWD",
            "PASSPHRASE", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PAT", "AUTH", "SECRETKEY", "ACCESSKEY", "PRIVATEKEY",
            "AUTHTOKEN", "ACCESSTOKEN", "APITOKEN", "CLIENTSECRET", "PSK");
    /** Words before a final {@code KEY} that make it secret. */
    private static final Set<String> SECRET_KEY_KINDS = Set.of("API", "SECRET", "ACCESS", "PRIVATE", "ACCOUNT", "MASTER",
            "SIGNING", "ENCRYPTION", "ENCRYPT", "CRYPT", "CRYPTO", "AUTH", "HMAC", "JWT", "SESSION", "LICENSE", "SSH",
            "CLIENT", "APP", "SHARED", "STORAGE", "SERVICE", "ADMIN", "CIPHER", "DECRYPTION", "WEBHOOK", "SECURITY");
    /** Glued last words ending in one of these are secret: {@code NPMTOKEN}, {@code DBPASSWORD}. */
    private static final List<String> GLUED = List.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "APIKEY");
    /** Last words that name something about a credential, not the credential. */
    private static final Set<String> ABOUT = Set.of("FILE", "FILES", "PATH", "DIR", "DIRECTORY", "URL", "URI",
            "ENDPOINT", "HOST", "PORT", "NAME", "ID", "TYPE", "HEADER", "FIELD", "KIND", "MODE", "LENGTH", "LEN", "SIZE",
            "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "TIMEOUT", "ENABLED", "DISABLED", "REQUIRED", "FORMAT", "ALGORITHM",
            "METHOD", "PROVIDER", "SOURCE", "REF", "VERSION", "POLICY", "HASH", "FINGERPRINT", "PREFIX", "SUFFIX",
            "COMMAND", "CMD", "HELPER", "SCOPE", "SCOPES", "PARAM", "PARAMETER", "ISSUER", "AUDIENCE", "REALM", "USER",
            "USERNAME", "LOCATION", "ROTATION", "STORE", "VAR", "ENV");
    /** Words that make a name a switch about a credential ({@code MYSQL_RANDOM_ROOT_PASSWORD}). */
    private static final Set<String> SWITCH = Set.of("ALLOW", "EMPTY", "RANDOM", "ONETIME", "GENERATE", "SKIP",
            "DISABLE", "ENABLE", "REQUIRE", "USE", "RESET", "ROTATE", "EXPIRE");
    private static final Pattern MODE = Pattern.compile("[0-9]{1,3}|[a-z]{1,10}");
    private static final Set<String> BOOLEAN = Set.of("yes", "no", "true", "false", "on", "off", "y", "n", "enabled",
            "disabled", "enable", "disable");
    private static final Pattern PLACEHOLDER = Pattern.compile("(?i)"
            + "change[-_ ]?(?:me|it|this)|replace[-_ ]?(?:me|this)|placeholder|dummy|redacted|none|null|nil|undefined|"
            + "todo|tbd|fixme|example|sample|unset|notset|not[-_ ]?set|secret|password|token|<[^>]*>|\\{\\{.*}}|"
            + "\\[[^\\]]*]|%\\(?[A-Za-z_]*\\)?s|x{3,}|\\*{3,}|\\.{3,}|-+|your[-_ ][-_ a-z0-9]*|"
            + "my[-_]?(?:secret|token|password|pass|key)|(?:insert|enter)[-_ ][-_ a-z0-9]*|put[-_ ][-_ a-z0-9]*here|"
            + "\\$\\{\\{.*}}|@[A-Za-z_]+@");
    private static final Pattern CAMEL = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");
    /**
     * What every name that holds a credential contains, upper-cased: each word above that makes one contains one of
     * these, and a word upper-cased is a piece of the name upper-cased. A name without any is not split into words.
     */
    private static final List<String> MARKS = List.of("TOKEN", "SECRET", "PASS", "PWD", "KEY", "CREDENTIAL", "PAT",
            "AUTH", "PSK");

    private SecretNames() {
    }

    /** The name's words, upper case: {@code dbPassword} → [DB, PASSWORD]; {@code npm-token} → [NPM, TOKEN]. */
    static List<String> words(String name) {
        List<String> out = new ArrayList<>();
        for (String part : name.strip().split("[_.\\-\\s]+")) {
            for (String w : CAMEL.split(part)) {
                if (!w.isEmpty()) {
                    out.add(w.toUpperCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** True when a variable of this name holds a credential. */
    public static boolean secretName(String name) {
        return marked(name) && byWords(name);
    }

    /** {@link #secretName}, decided on the name's words alone. */
    static boolean byWords(String name) {
        List<String> w = words(name);
        if (w.isEmpty()) {
            return false;
        }
        int n = w.size();
        String last = w.get(n - 1);
        String before = n > 1 ? w.get(n - 2) : "";
        if (ABOUT.contains(last) || w.contains("PUBLIC")) {
            return false;
        }
        if ((w.contains("GPG") || w.contains("PGP")) && (last.equals("KEY") || last.equals("KEYS"))) {
            return false; // a key fingerprint, as the official images set GPG_KEY
        }
        if (last.equals("PWD") || last.equals("PAT") || last.equals("PASS") || last.equals("AUTH")) {
            // PWD alone is the working directory; PAT, PASS and AUTH alone are too short to mean a credential
            return n > 1;
        }
        if (SECRET_LAST.contains(last)) {
            return true;
        }
        if (last.equals("KEY")) {
            return n == 1 ? false : SECRET_KEY_KINDS.contains(before) || before.endsWith("SECRET");
        }
        if (last.equals("BASE") && before.equals("KEY")) {
            return true;
        }
        for (String g : GLUED) {
            if (last.endsWith(g) && last.length() > g.length()) {
                return !last.endsWith("TOKENS") && !last.startsWith("NO");
            }
        }
        return false;
    }

    /** Whether the name contains one of the {@link #MARKS}: the cheap first step, before any regular expression. */
    static boolean marked(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        for (String mark : MARKS) {
            if (upper.contains(mark)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code value}, assigned to {@code name}, is a literal credential: not empty, not a reference, a path, a
     * placeholder or a boolean, and not a switch's mode.
     */
    public static boolean literalValue(String name, String value) {
        String v = unquote(value.strip());
        if (v.isEmpty() || v.startsWith("$") || v.startsWith("/") || v.startsWith("./") || v.startsWith("../")
                || v.startsWith("~/") || v.startsWith("file:") || v.matches("[A-Za-z]:\\\\.*")) {
            return false;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (BOOLEAN.contains(lower) || PLACEHOLDER.matcher(v).matches()) {
            return false;
        }
        if (isSwitch(name) && MODE.matcher(v).matches()) {
            // a switch's mode: 1/0, or a short word such as "random"
            return false;
        }
        return true;
    }

    private static boolean isSwitch(String name) {
        for (String w : words(name)) {
            if (SWITCH.contains(w)) {
                return true;
            }
        }
        return false;
    }

    /** A secret variable with a literal credential value. */
    public static boolean secretAssignment(String name, String value) {
        return secretName(name) && literalValue(name, value);
    }

    static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1).strip();
        }
        return v;
    }
}
