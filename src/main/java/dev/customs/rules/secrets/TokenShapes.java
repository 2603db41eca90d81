package dev.customs.rules.secrets;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The credential formats Customs recognises anywhere in text (an {@code Env} value, a history line, a small file in a
 * layer, a pod's env value), one {@link Shape} per vendor format. Each shape is anchored (a token does not start or
 * end in the middle of a word), has the vendor's exact length and alphabet, and is checked against the vendor's
 * checksum where the format has one (GitHub's and npm's CRC32, age's bech32, a JWT's header). Formats that carry no
 * prefix of their own (Facebook, Twitter, Discord, ...) are recognised only next to the vendor's name
 * ({@code FACEBOOK_APP_SECRET=<32 hex>}), as a vendor's own documentation shows them.
 *
 * <p>
 * A text is first scanned once for the literals of every shape ({@link Literals}); only the shapes whose literal
 * occurs run their regular expression. The table in the README lists what is recognised.
 */
public final class TokenShapes {

    /**
     * One credential format.
     *
     * @param id a stable identifier (tests and the README table use it)
     * @param category the vendor or kind, as in the README table
     * @param description how a finding names it, e.g. {@code a Stripe secret key (sk_live_…)}
     * @param literals strings of which every match contains one (compared without case)
     * @param pattern the format; group 1, when present, is the part {@code check} verifies
     * @param check a further check of the matched token (a checksum), or null
     */
    public record Shape(String id, String category, String description, List<String> literals, Pattern pattern,
            Predicate<String> check) {

        boolean matches(CharSequence text) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                if (check == null || check.test(m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Not part of a word made of letters, digits and underscores. */
    private static final String START = "(?<![A-Za-z0-9_])";
    private static final String END = "(?![A-Za-z0-9_])";
    /** Also not continued by {@code -}, {@code .} or {@code =}, for formats whose alphabet has them. */
    private static final String END_WIDE = "(?![A-Za-z0-9_.=+/-])";

    private static final List<Shape> SHAPES = new ArrayList<>();

    private static void shape(String id, String category, String description, List<String> literals, String regex,
            Predicate<String> check) {
        SHAPES.add(new Shape(id, category, description, List.copyOf(literals), Pattern.compile(regex), check));
    }

    private static void shape(String id, String category, String description, List<String> literals, String regex) {
        shape(id, category, description, literals, regex, null);
    }

    /**
     * A format without a prefix of its own, recognised as the value assigned to a name that contains the vendor's name:
     * {@code vendor...=value}, {@code vendor...: "value"}, {@code "vendor...": "value"}.
     */
    private static void keyed(String id, String category, String description, String vendor, String value) {
        shape(id, category, description, List.of(vendor),
                "(?i:" + Pattern.quote(vendor) + ")[A-Za-z0-9_.-]{0,25}[\"']?[ \\t]{0,3}(?:=>|:=|=|:)[ \\t]{0,3}[\"']?"
                        + "(" + value + ")" + END_WIDE);
    }

    static {
        // AWS
        shape("aws-access-key-id", "AWS", "an AWS access key id (AKIA…)",
                List.of("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "APKA"),
                "(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z2-7]{16}(?![A-Za-z0-9])");
        shape("aws-secret-access-key", "AWS", "an AWS secret access key", List.of("aws"),
                "(?i:aws)[A-Za-z0-9_.-]{0,20}(?i:secret)[A-Za-z0-9_.-]{0,20}[\"']?[ \\t]{0,3}(?:=>|:=|=|:)[ \\t]{0,3}[\"']?"
                        + "([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])");
        // GitHub: classic tokens carry a CRC32 of their random part
        shape("github-token", "GitHub", "a GitHub token (gh?_…)", List.of("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
                START + "(gh[pousr]_[A-Za-z0-9]{36})" + END, Checksums::crc32Base62);
        shape("github-refresh-token", "GitHub", "a GitHub refresh token (ghr_…)", List.of("ghr_"),
                START + "ghr_[A-Za-z0-9]{76}" + END);
        shape("github-app-installation-token", "GitHub", "a GitHub App installation token (ghs_…)", List.of("ghs_"),
                START + "ghs_[0-9]{1,12}_(ey[A-Za-z0-9_-]{10,}\\.ey[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,})" + END,
                Checksums::jwt);
        shape("github-fine-grained-pat", "GitHub", "a GitHub fine-grained token (github_pat_…)", List.of("github_pat_"),
                START + "github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + END);
        // GitLab
        shape("gitlab-token", "GitLab", "a GitLab token (glpat-…)",
                List.of("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glft-", "glsoat-"),
                START + "(?:glpat|gldt|glrt|glptt|glcbt|gloas|glft|glsoat)-[A-Za-z0-9_-]{20,}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{7,9})?"
                        + "(?![A-Za-z0-9_-])");
        shape("gitlab-runner-registration-token", "GitLab", "a GitLab runner registration token (GR1348941…)",
                List.of("GR1348941"), START + "GR1348941[A-Za-z0-9_-]{20}" + END);
        // private keys
        shape("private-key", "Private key", "a private key",
                List.of("PRIVATE KEY"),
                "-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:\\\\n|\\s|[A-Za-z-]+:[^\\n]{0,100})*"
                        + "[A-Za-z0-9+/=]{32,}");
        // Hugging Face
        shape("huggingface-token", "Hugging Face", "a Hugging Face token (hf_…)", List.of("hf_", "api_org_"),
                START + "(?:hf|api_org)_[A-Za-z0-9]{34,40}" + END);
        // Shopify
        shape("shopify-token", "Shopify", "a Shopify token (shpat_…)", List.of("shpat_", "shpca_", "shppa_", "shpss_"),
                START + "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}" + END);
        // Slack
        shape("slack-token", "Slack", "a Slack token (xox?-…)", List.of("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxr-",
                "xoxs-", "xoxe"),
                START + "(?:xox[abposr]|xoxe\\.xox[bp]|xoxe)-(?:[0-9]{1,16}-)+[A-Za-z0-9-]{8,}" + END);
        shape("slack-webhook", "Slack", "a Slack webhook URL (hooks.slack.com/…)", List.of("hooks.slack.com"),
                "hooks\\.slack\\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,12}/[AB][A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}"
                        + END);
        // Google
        shape("gcp-service-account", "Google", "a Google Cloud service account key", List.of("service_account"),
                "\"type\"\\s*:\\s*\"service_account\"[\\s\\S]{0,4000}\"private_key\"\\s*:\\s*\"-----BEGIN");
        shape("google-api-key", "Google", "a Google API key (AIza…)", List.of("AIza"),
                "(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])");
        // Stripe: publishable keys (pk_) are public by design and not reported
        shape("stripe-secret-key", "Stripe", "a Stripe secret key (sk_live_…)",
                List.of("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
                START + "[sr]k_(?:live|test)_[A-Za-z0-9]{24,247}" + END);
        // PyPI: a macaroon whose first caveat names pypi.org (or test.pypi.org)
        shape("pypi-token", "PyPI", "a PyPI upload token (pypi-AgEI…)",
                List.of("pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBp"),
                START + "pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}" + END);
        // Heroku
        keyed("heroku-api-key", "Heroku", "a Heroku API key", "heroku",
                "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
        shape("heroku-token", "Heroku", "a Heroku token (HRKU-…)", List.of("HRKU-"), START + "HRKU-[A-Za-z0-9_-]{60}" + END);
        // Twilio
        shape("twilio-api-key", "Twilio", "a Twilio API key (SK…)", List.of("SK"), START + "SK[0-9a-f]{32}" + END);
        keyed("twilio-auth-token", "Twilio", "a Twilio auth token", "twilio", "[0-9a-f]{32}");
        // age
        shape("age-secret-key", "age", "an age secret key (AGE-SECRET-KEY-1…)", List.of("AGE-SECRET-KEY-1"),
                "(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})" + END, Checksums::bech32);
        // vendors whose secrets have no prefix: recognised next to the vendor's name
        keyed("facebook-secret", "Facebook", "a Facebook app secret", "facebook", "[a-f0-9]{32}");
        shape("facebook-access-token", "Facebook", "a Facebook access token (EAA…)", List.of("EAACEdEose0cBA", "EAAG", "EAAB"),
                START + "EAA(?:CEdEose0cBA|G|B)[A-Za-z0-9]{80,}" + END);
        keyed("twitter-secret", "Twitter", "a Twitter API secret", "twitter", "[A-Za-z0-9]{35,50}");
        shape("twitter-bearer-token", "Twitter", "a Twitter bearer token (AAAA…)", List.of("AAAAAAAAAAAAAAAAAAAAA"),
                START + "A{22}[A-Za-z0-9%]{60,120}" + END);
        keyed("adobe-client-id", "Adobe", "an Adobe client id and secret", "adobe", "[a-f0-9]{32}");
        shape("adobe-client-secret", "Adobe", "an Adobe client secret (p8e-…)", List.of("p8e-"),
                START + "p8e-[A-Za-z0-9]{32}" + END);
        shape("alibaba-access-key-id", "Alibaba", "an Alibaba Cloud access key id (LTAI…)", List.of("LTAI"),
                "(?<![A-Za-z0-9])LTAI[A-Za-z0-9]{12,20}(?![A-Za-z0-9])");
        keyed("alibaba-secret", "Alibaba", "an Alibaba Cloud access key secret", "alibaba", "[A-Za-z0-9]{30}");
        keyed("asana-secret", "Asana", "an Asana client secret or token", "asana",
                "[0-9]/[0-9]{16}:[A-Za-z0-9]{32}|[0-9]{16}|[A-Za-z0-9]{32}");
        shape("atlassian-api-token", "Atlassian", "an Atlassian API token (ATATT3…)", List.of("ATATT3"),
                START + "ATATT3[A-Za-z0-9_=-]{180,200}" + END);
        keyed("atlassian-token", "Atlassian", "an Atlassian API token", "atlassian", "[A-Za-z0-9]{24}");
        shape("bitbucket-app-password", "Bitbucket", "a Bitbucket app password (ATBB…)", List.of("ATBB"),
                START + "ATBB[A-Za-z0-9_=.-]{32}" + END);
        keyed("bitbucket-secret", "Bitbucket", "a Bitbucket client secret", "bitbucket", "[A-Za-z0-9_-]{64}|[a-z0-9]{32}");
        keyed("beamer-api-token", "Beamer", "a Beamer API token", "beamer", "b_[A-Za-z0-9=_-]{44}");
        shape("clojars-token", "Clojars", "a Clojars token (CLOJARS_…)", List.of("CLOJARS_"),
                START + "CLOJARS_[A-Za-z0-9]{60}" + END);
        keyed("contentful-token", "Contentful", "a Contentful delivery API token", "contentful", "[A-Za-z0-9_=-]{43}");
        shape("databricks-token", "Databricks", "a Databricks token (dapi…)", List.of("dapi"),
                START + "dapi[a-h0-9]{32}(?:-[0-9])?" + END);
        keyed("discord-secret", "Discord", "a Discord token or client secret", "discord",
                "[a-h0-9]{64}|[A-Za-z0-9=_-]{32}");
        shape("discord-webhook", "Discord", "a Discord webhook URL", List.of("/api/webhooks/"),
                "discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68}" + END);
        shape("doppler-token", "Doppler", "a Doppler token (dp.pt.…)", List.of("dp.pt.", "dp.st.", "dp.sa.", "dp.ct.",
                "dp.scim.", "dp.audit."),
                START + "dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}" + END);
        keyed("dropbox-token", "Dropbox", "a Dropbox token", "dropbox",
                "sl\\.[A-Za-z0-9_=-]{130,140}|[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}|[a-z0-9]{15}");
        shape("duffel-token", "Duffel", "a Duffel token (duffel_live_…)", List.of("duffel_live_", "duffel_test_"),
                START + "duffel_(?:test|live)_[A-Za-z0-9_-]{43}" + END);
        shape("dynatrace-token", "Dynatrace", "a Dynatrace token (dt0c01.…)", List.of("dt0c01."),
                START + "dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}" + END);
        shape("easypost-token", "EasyPost", "an EasyPost API key (EZAK…)", List.of("EZAK", "EZTK"),
                START + "EZ[AT]K[A-Za-z0-9]{54}" + END);
        keyed("fastly-token", "Fastly", "a Fastly API token", "fastly", "[A-Za-z0-9_-]{32}");
        keyed("finicity-secret", "Finicity", "a Finicity secret", "finicity", "[a-f0-9]{32}|[A-Za-z0-9]{20}");
        shape("flutterwave-key", "Flutterwave", "a Flutterwave secret key (FLWSECK…)", List.of("FLWSECK", "FLWPUBK"),
                START + "(?:FLWSECK(?:_TEST)?-[a-hA-H0-9]{32}-X|FLWSECK_TEST[a-hA-H0-9]{12})" + END);
        shape("frameio-token", "Frame.io", "a Frame.io token (fio-u-…)", List.of("fio-u-"),
                START + "fio-u-[A-Za-z0-9_=-]{64}" + END);
        keyed("gocardless-token", "GoCardless", "a GoCardless access token", "gocardless", "live_[A-Za-z0-9_=-]{40}");
        shape("grafana-token", "Grafana", "a Grafana token (glsa_…, glc_…)", List.of("glsa_", "glc_", "eyJrIjoi"),
                START + "(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2}|eyJrIjoi[A-Za-z0-9_=-]{70,100})"
                        + "(?![A-Za-z0-9_+/])");
        shape("terraform-token", "HashiCorp", "a Terraform Cloud token (….atlasv1.…)", List.of(".atlasv1."),
                START + "[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}" + END);
        shape("vault-token", "HashiCorp", "a Vault token (hvs.…)", List.of("hvs.", "hvb."),
                START + "hv[sb]\\.[A-Za-z0-9_-]{90,}" + END);
        shape("hubspot-token", "HubSpot", "a HubSpot private app token (pat-na1-…)", List.of("pat-na1-", "pat-eu1-"),
                START + "pat-(?:na|eu)1-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}" + END);
        keyed("hubspot-api-key", "HubSpot", "a HubSpot API key", "hubspot",
                "[a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}");
        keyed("intercom-token", "Intercom", "an Intercom token", "intercom",
                "[A-Za-z0-9=_]{60}|[a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}");
        keyed("ionic-token", "Ionic", "an Ionic token", "ionic", "ion_[A-Za-z0-9]{42}");
        shape("jwt", "JWT", "a JSON Web Token (eyJ…)", List.of("eyJ"),
                "(?<![A-Za-z0-9_./-])(ey[A-Za-z0-9_-]{10,}\\.ey[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}={0,2})"
                        + "(?![A-Za-z0-9_./-])",
                Checksums::jwt);
        shape("linear-token", "Linear", "a Linear API key (lin_api_…)", List.of("lin_api_"),
                START + "lin_api_[A-Za-z0-9]{40}" + END);
        keyed("linear-secret", "Linear", "a Linear client secret", "linear", "[a-f0-9]{32}");
        keyed("lob-key", "Lob", "a Lob API key", "lob", "(?:live|test)_[a-f0-9]{35}|(?:live|test)_pub_[a-f0-9]{31}");
        shape("mailchimp-key", "Mailchimp", "a Mailchimp API key (…-us20)", List.of("-us"),
                "(?<![A-Za-z0-9])[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9])");
        keyed("mailgun-key", "Mailgun", "a Mailgun key", "mailgun",
                "(?:pub)?key-[a-f0-9]{32}|[a-h0-9]{32}-[a-h0-9]{8}-[a-h0-9]{8}");
        // Mapbox: public tokens (pk.) are meant for browsers and not reported
        shape("mapbox-secret-token", "Mapbox", "a Mapbox secret token (sk.eyJ…)", List.of("sk.eyJ"),
                START + "sk\\.eyJ[A-Za-z0-9_-]{50,}\\.[A-Za-z0-9_-]{20,}" + END);
        keyed("messagebird-key", "MessageBird", "a MessageBird API key", "messagebird",
                "[A-Za-z0-9]{25}|[a-h0-9]{8}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{4}-[a-h0-9]{12}");
        // New Relic: browser keys (NRJS-) are embedded in web pages by design and not reported
        shape("newrelic-key", "New Relic", "a New Relic key (NRAK-…)", List.of("NRAK-", "NRII-", "NRRA-"),
                START + "NR(?:AK|II|RA)-[A-Z0-9]{27,32}" + END);
        keyed("newrelic-license-key", "New Relic", "a New Relic license key", "newrelic",
                "[A-Fa-f0-9]{36}NRAL|[A-Z0-9]{64}");
        // npm
        shape("npm-token", "npm", "an npm token (npm_…)", List.of("npm_"), START + "(npm_[A-Za-z0-9]{36})" + END,
                Checksums::crc32Base62);
        shape("npm-auth-token", "npm", "an npm registry _authToken", List.of("_authToken"),
                "_authToken[ \\t]*=[ \\t]*[\"']?(?!\\$\\{|\\$[A-Za-z_])[^\\s\"'$]{6,}");
        shape("planetscale-token", "PlanetScale", "a PlanetScale token (pscale_tkn_…)",
                List.of("pscale_pw_", "pscale_tkn_", "pscale_oauth_"),
                START + "pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.-]{32,64}" + END);
        shape("packagist-token", "Private Packagist", "a Private Packagist token (packagist_…)",
                List.of("packagist_uut_", "packagist_ort_", "packagist_out_"),
                START + "packagist_(?:uut|ort|out)_[a-f0-9]{68}" + END);
        shape("postman-token", "Postman", "a Postman API key (PMAK-…)", List.of("PMAK-"),
                START + "PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + END);
        shape("pulumi-token", "Pulumi", "a Pulumi access token (pul-…)", List.of("pul-"), START + "pul-[a-f0-9]{40}" + END);
        shape("rubygems-token", "RubyGems", "a RubyGems API key (rubygems_…)", List.of("rubygems_"),
                START + "rubygems_[a-f0-9]{48}" + END);
        shape("sendgrid-token", "SendGrid", "a SendGrid API key (SG.…)", List.of("SG."),
                START + "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}" + END);
        shape("sendinblue-token", "Brevo (Sendinblue)", "a Brevo API key (xkeysib-…)", List.of("xkeysib-", "xsmtpsib-"),
                START + "x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}" + END);
        shape("shippo-token", "Shippo", "a Shippo API token (shippo_live_…)", List.of("shippo_live_", "shippo_test_"),
                START + "shippo_(?:live|test)_[a-f0-9]{40}" + END);
        keyed("linkedin-secret", "LinkedIn", "a LinkedIn client secret", "linkedin", "[A-Za-z0-9]{16}|[a-z0-9]{14}");
        keyed("twitch-token", "Twitch", "a Twitch API token", "twitch", "[a-z0-9]{30}");
        shape("typeform-token", "Typeform", "a Typeform token (tfp_…)", List.of("tfp_"),
                START + "tfp_[A-Za-z0-9_.=-]{59}" + END_WIDE);
        // Docker
        shape("docker-hub-token", "Docker", "a Docker Hub access token (dckr_pat_…)", List.of("dckr_pat_", "dckr_oat_"),
                START + "dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}" + END);
        shape("docker-config-auth", "Docker", "a docker config.json with registry credentials", List.of("\"auths\""),
                "\"auths\"\\s*:\\s*\\{[^}]*\"[^\"]+\"\\s*:\\s*\\{[^}]*\"(?:auth|identitytoken|password)\"\\s*:\\s*\"[A-Za-z0-9+/=_.-]{8,}\"");
        shape("dockerconfigjson", "Docker", "a .dockerconfigjson with registry credentials",
                List.of(".dockerconfigjson", ".dockercfg"),
                "\\.docker(?:configjson|cfg)[\"']?\\s*:\\s*\\|?\\s*[\"']?e[wy][A-Za-z0-9+/=]{20,}");
        shape("symfony-default-secret", "Symfony", "Symfony's published default secret",
                List.of("TokenIsNotSoSecret"),
                "ThisTokenIsNotSoSecretChangeIt|ThisEzPlatformTokenIsNotSoSecret_PleaseChangeIt");
        // Azure
        shape("azure-storage-key", "Azure", "an Azure storage account key (AccountKey=…)", List.of("AccountKey"),
                "(?i:AccountKey)\\s*=\\s*[A-Za-z0-9+/]{86}==");
        shape("azure-shared-access-key", "Azure", "an Azure shared access key (SharedAccessKey=…)",
                List.of("SharedAccessKey="), "SharedAccessKey=[A-Za-z0-9+/]{42,44}=");
        shape("azure-sas-token", "Azure", "an Azure SAS token (…&sig=…)", List.of("sig="),
                "sv=[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[&;][a-z]{2,6}=[^&\\s'\"]*){1,12}[&;]sig=[A-Za-z0-9%+/=]{40,}");
        shape("azure-entra-client-secret", "Azure", "an Azure Entra ID client secret (…8Q~…)", List.of("8Q~"),
                "(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{34}(?![A-Za-z0-9_~.-])");
        shape("azure-key-with-signature", "Azure", "an Azure service key (…JQQJ99…)", List.of("JQQJ99"),
                "(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{52}JQQJ99[A-Za-z0-9+/]{4,30}(?![A-Za-z0-9+/])");
        keyed("azure-devops-pat", "Azure", "an Azure DevOps personal access token", "devops", "[a-z2-7]{52}");
        shape("azure-app-config", "Azure", "an Azure App Configuration connection string", List.of("azconfig.io"),
                "(?i:Endpoint)\\s*=\\s*https://[A-Za-z0-9-]+\\.azconfig\\.io\\s*;\\s*(?i:Id)\\s*=\\s*[A-Za-z0-9+/=:-]+\\s*;"
                        + "\\s*(?i:Secret)\\s*=\\s*[A-Za-z0-9+/=~]{32,88}");
        // OpenAI and Anthropic: OpenAI's keys carry "T3BlbkFJ" (base64 of "OpenAI") between two random halves
        shape("openai-key", "OpenAI", "an OpenAI API key (sk-…T3BlbkFJ…)", List.of("T3BlbkFJ"),
                START + "sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{20,100}T3BlbkFJ[A-Za-z0-9_-]{20,100}"
                        + "(?![A-Za-z0-9_-])");
        shape("anthropic-key", "Anthropic", "an Anthropic API key (sk-ant-…)", List.of("sk-ant-"),
                START + "sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,100}AA(?![A-Za-z0-9_-])");
    }

    private static final List<Shape> ALL = List.copyOf(SHAPES);
    private static final Literals LITERALS = new Literals(ALL.stream().map(Shape::literals).toList());

    private TokenShapes() {
    }

    /** Every shape, in the order they are tried. */
    public static List<Shape> all() {
        return ALL;
    }

    /** The first shape found in {@code text}, in table order. */
    public static Optional<Shape> first(CharSequence text) {
        BitSet hits = LITERALS.scan(text);
        if (hits == null) {
            return Optional.empty();
        }
        for (int i = hits.nextSetBit(0); i >= 0; i = hits.nextSetBit(i + 1)) {
            if (ALL.get(i).matches(text)) {
                return Optional.of(ALL.get(i));
            }
        }
        return Optional.empty();
    }

    /** Every shape found in {@code text}, in table order, each once. */
    public static Set<Shape> found(CharSequence text) {
        BitSet hits = LITERALS.scan(text);
        if (hits == null) {
            return Set.of();
        }
        Set<Shape> out = new LinkedHashSet<>();
        for (int i = hits.nextSetBit(0); i >= 0; i = hits.nextSetBit(i + 1)) {
            if (ALL.get(i).matches(text)) {
                out.add(ALL.get(i));
            }
        }
        return out;
    }
}
