package dev.customs.rules;

/**
 * Reads an image config's {@code User} the way the kubelet does: {@code uid[:gid]} or {@code name[:group]}, where an
 * empty user means root.
 */
final class ImageUser {

    private ImageUser() {
    }

    /** The user part, before any {@code :group}. */
    static String userPart(String user) {
        String u = user == null ? "" : user.strip();
        int colon = u.indexOf(':');
        return colon < 0 ? u : u.substring(0, colon);
    }

    /** {@code ""}, {@code 0}, {@code root}, {@code 0:<g>}, {@code root:<g>}. */
    static boolean isRoot(String user) {
        String u = userPart(user);
        return u.isEmpty() || u.equals("root") || isNumeric(u) && Long.parseLong(u) == 0;
    }

    static boolean isNumeric(String userPart) {
        if (userPart.isEmpty() || userPart.length() > 10) {
            return false;
        }
        for (int i = 0; i < userPart.length(); i++) {
            if (!Character.isDigit(userPart.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** How messages describe the image user. */
    static String describe(String user) {
        return user == null || user.isBlank() ? "the image sets no USER, so it runs as root"
                : "the image's USER is \"" + user + "\"";
    }
}
