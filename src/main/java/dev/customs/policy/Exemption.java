package dev.customs.policy;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import dev.customs.rules.ImageReference;

/**
 * One configured exemption. Each criterion that is set must match; an unset criterion matches everything. An image
 * criterion only matches findings about an image (a pod-level finding such as host-network has none).
 *
 * @param name the exemption's configuration name
 * @param namespaces namespaces, or empty for any
 * @param images image patterns on the normalised reference ({@code *} = any characters), or empty for any
 * @param users requesting users, or empty for any
 * @param groups requesting groups, or empty for any
 * @param rules rule ids, or empty for all rules
 * @param reason why it exists
 * @param expires the last day it applies, or null
 */
public record Exemption(String name, Set<String> namespaces, List<String> images, Set<String> users,
        Set<String> groups, Set<String> rules, String reason, LocalDate expires) {

    public Exemption {
        namespaces = Set.copyOf(namespaces);
        images = List.copyOf(images);
        users = Set.copyOf(users);
        groups = Set.copyOf(groups);
        rules = Set.copyOf(rules);
    }

    /**
     * Whether it covers a finding of {@code rule} about {@code image} (null for pod-level) for this requester. The image
     * is parsed by the caller, once for every exemption and finding that names it.
     */
    public boolean covers(String rule, ImageReference image, Requester who) {
        return appliesTo(who) && covers(rule, image);
    }

    /** Whether its namespace, user and group criteria match this requester: the part that is the same for a review. */
    public boolean appliesTo(Requester who) {
        if (!namespaces.isEmpty() && !namespaces.contains(who.namespace())) {
            return false;
        }
        if (!users.isEmpty() && !users.contains(who.username())) {
            return false;
        }
        return groups.isEmpty() || who.groups().stream().anyMatch(groups::contains);
    }

    /** Whether it covers a finding of {@code rule} about {@code image}, for a requester it {@link #appliesTo}. */
    public boolean covers(String rule, ImageReference image) {
        if (!rules.isEmpty() && !rules.contains(rule)) {
            return false;
        }
        if (images.isEmpty()) {
            return true;
        }
        if (image == null) {
            return false;
        }
        String normalized = image.normalized();
        for (String p : images) {
            if (imageMatches(p, image, normalized)) {
                return true;
            }
        }
        return false;
    }

    /** {@link #imageMatches(String, ImageReference, String)} of a reference as written. */
    static boolean imageMatches(String pattern, String image) {
        ImageReference ref = ImageReference.parse(image);
        return imageMatches(pattern, ref, ref.normalized());
    }

    /**
     * Matches a pattern against the normalised reference; an untagged reference is also tried with its implied
     * {@code :latest}, so {@code docker.io/library/busybox:*} covers {@code busybox}. An invalid reference is matched
     * as written.
     */
    private static boolean imageMatches(String pattern, ImageReference ref, String normalized) {
        if (!ref.valid()) {
            return glob(pattern, ref.original());
        }
        if (glob(pattern, normalized)) {
            return true;
        }
        return ref.tag() == null && ref.digest() == null && glob(pattern, normalized + ":latest");
    }

    /**
     * Whether {@code text} matches {@code pattern}, where {@code *} stands for any characters. Linear in the text
     * whatever the pattern: the text is written by whoever creates a pod (an invalid image may be megabytes), so a
     * backtracking matcher (a regular expression of several {@code .*}) would let it cost seconds of CPU. The literal
     * pieces between stars are matched left to right, each at its first occurrence after the previous one, which is
     * the match if there is any: a later occurrence only leaves less text for the pieces that follow.
     */
    static boolean glob(String pattern, String text) {
        String[] pieces = pattern.split("\\*", -1);
        if (pieces.length == 1) {
            return pattern.equals(text);
        }
        String first = pieces[0];
        String last = pieces[pieces.length - 1];
        if (text.length() < first.length() + last.length() || !text.startsWith(first) || !text.endsWith(last)) {
            return false;
        }
        int from = first.length();
        int end = text.length() - last.length();
        for (int i = 1; i < pieces.length - 1; i++) {
            String piece = pieces[i];
            int at = piece.isEmpty() ? from : text.indexOf(piece, from);
            if (at < 0 || at + piece.length() > end) {
                return false;
            }
            from = at + piece.length();
        }
        return true;
    }

    public boolean expiredOn(LocalDate today) {
        return expires != null && today.isAfter(expires);
    }
}
