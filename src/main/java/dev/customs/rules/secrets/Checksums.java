package dev.customs.rules.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The self-checks some vendors build into their tokens, so that a token-shaped string that is not a token (a
 * placeholder, a test value, a random identifier) is not reported.
 */
final class Checksums {

    /** The two base62 alphabets in use; which one a vendor uses is not published, and either is accepted. */
    private static final String DIGITS_UPPER_FIRST = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS_LOWER_FIRST = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static final int[] BECH32_GENERATOR = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
    private static final String BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    private Checksums() {
    }

    /**
     * GitHub's (2021) and npm's token format: {@code <prefix>_} then 30 random base62 characters, then the CRC32 of
     * those 30 characters as 6 base62 digits.
     */
    static boolean crc32Base62(String token) {
        int underscore = token.indexOf('_');
        String body = token.substring(underscore + 1);
        if (body.length() != 36) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(body.substring(0, 30).getBytes(StandardCharsets.US_ASCII));
        String check = body.substring(30);
        return check.equals(base62(crc.getValue(), DIGITS_UPPER_FIRST))
                || check.equals(base62(crc.getValue(), DIGITS_LOWER_FIRST));
    }

    /** {@code value} as 6 base62 digits, zero-padded. */
    static String base62(long value, String digits) {
        char[] out = new char[6];
        long v = value;
        for (int i = 5; i >= 0; i--) {
            out[i] = digits.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }

    /** The checksum the tests use to make valid-looking tokens (the upper-first alphabet). */
    static String crc32Base62Suffix(String random30) {
        CRC32 crc = new CRC32();
        crc.update(random30.getBytes(StandardCharsets.US_ASCII));
        return base62(crc.getValue(), DIGITS_UPPER_FIRST);
    }

    /** A bech32 string (age's keys): human-readable part, {@code 1}, data with a 6-character checksum. */
    static boolean bech32(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        int sep = lower.lastIndexOf('1');
        if (sep < 1 || lower.length() - sep - 1 < 6) {
            return false;
        }
        String hrp = lower.substring(0, sep);
        int[] values = new int[hrp.length() * 2 + 1 + lower.length() - sep - 1];
        int k = 0;
        for (char c : hrp.toCharArray()) {
            values[k++] = c >> 5;
        }
        values[k++] = 0;
        for (char c : hrp.toCharArray()) {
            values[k++] = c & 31;
        }
        for (int i = sep + 1; i < lower.length(); i++) {
            int d = BECH32_CHARSET.indexOf(lower.charAt(i));
            if (d < 0) {
                return false;
            }
            values[k++] = d;
        }
        return bech32Polymod(values) == 1;
    }

    static int bech32Polymod(int[] values) {
        int chk = 1;
        for (int v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) == 1) {
                    chk ^= BECH32_GENERATOR[i];
                }
            }
        }
        return chk;
    }

    /** A JSON Web Token: its first part decodes (base64url) to a JSON object that names an {@code alg}. */
    static boolean jwt(String token) {
        int dot = token.indexOf('.');
        if (dot < 0) {
            return false;
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(token.substring(0, dot).replace("=", "")),
                    StandardCharsets.UTF_8).strip();
            return header.startsWith("{") && header.contains("\"alg\"");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
