package dev.customs.rules.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link SecretNames#secretName}'s cheap first step ({@link SecretNames#marked}) never turns away a name that its words
 * make a credential: the answer is the words' answer for every name.
 */
class SecretNamesTest {

    /** Words of credential names and of names about them, as the rules list them, and some that are neither. */
    private static final List<String> WORDS = List.of("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "PWD",
            "PASSPHRASE", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PAT", "AUTH", "SECRETKEY", "ACCESSKEY",
            "PRIVATEKEY", "AUTHTOKEN", "ACCESSTOKEN", "APITOKEN", "CLIENTSECRET", "PSK", "KEY", "BASE", "API",
            "ACCESS", "PRIVATE", "SIGNING", "HMAC", "JWT", "SSH", "NPMTOKEN", "DBPASSWORD", "GITHUBTOKENS",
            "NOPASSWORD", "FILE", "PATH", "URL", "NAME", "ID", "PUBLIC", "GPG", "MYSQL", "ROOT", "RANDOM", "ALLOW",
            "EMPTY", "DB", "NPM", "LOG", "LEVEL", "PORT", "HOME", "LANG", "JAVA", "OPTS", "USER");
    private static final List<String> SEPARATORS = List.of("_", "-", ".", "", " ", "__");

    private static List<String> names() {
        List<String> out = new ArrayList<>();
        for (String a : WORDS) {
            out.add(a);
            out.add(a.toLowerCase(Locale.ROOT));
            for (String b : WORDS) {
                for (String sep : SEPARATORS) {
                    out.add(a + sep + b);
                }
                out.add(a.toLowerCase(Locale.ROOT) + b.charAt(0) + b.substring(1).toLowerCase(Locale.ROOT));
            }
        }
        // letters that upper-case into the marks' letters: the long s, the sharp s, the dotless i
        out.addAll(List.of("ſecret", "DB_ſECRET", "paß", "DB_PAß", "aws_ſecret_key", "ıd", "apı_key", "pſk"));
        Random random = new Random(13);
        String alphabet = "ACEKNOPRSTWYDHU_-.aekost";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int n = 1 + random.nextInt(14); n > 0; n--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void theFirstStepTurnsAwayOnlyNamesTheWordsTurnAway() {
        List<String> names = names();
        long secret = 0;
        for (String name : names) {
            boolean words = SecretNames.byWords(name);
            assertThat(SecretNames.secretName(name)).as(name).isEqualTo(words);
            secret += words ? 1 : 0;
        }
        assertThat(secret).as("credential names among %d", names.size()).isGreaterThan(1000);
        assertThat(SecretNames.secretName("ſecret")).isTrue();
        assertThat(SecretNames.secretName("DB_PAß")).isTrue();
        assertThat(SecretNames.marked("LOG_LEVEL")).isFalse();
    }
}
