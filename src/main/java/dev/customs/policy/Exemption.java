package dev.customs.policy;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

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

    /** Whether it covers a finding of {@code rule} about {@code image} (null for pod-level) for this requester. */
    public boolean covers(String rule, String image, Requester who) {
        if (!rules.isEmpty() && !rules.contains(rule)) {
            return false;
        }
        if (!namespaces.isEmpty() && !namespaces.contains(who.namespace())) {
            return false;
        }
        if (!users.isEmpty() && !users.contains(who.username())) {
            return false;
        }
        if (!groups.isEmpty() && who.groups().stream().noneMatch(groups::contains)) {
            return false;
        }
        return images.isEmpty() || image != null && images.stream().anyMatch(p -> imageMatches(p, image));
    }

    /**
     * Matches a pattern against the normalised reference; an untagged reference is also tried with its implied
     * {@code :latest}, so {@code docker.io/library/busybox:*} covers {@code busybox}.
     */
    static boolean imageMatches(String pattern, String image) {
        ImageReference ref = ImageReference.parse(image);
        Pattern p = glob(pattern);
        if (!ref.valid()) {
            return p.matcher(image).matches();
        }
        String normalized = ref.normalized();
        if (p.matcher(normalized).matches()) {
            return true;
        }
        return ref.tag() == null && ref.digest() == null && p.matcher(normalized + ":latest").matches();
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (re.length() > 0) {
                re.append(".*");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    public boolean expiredOn(LocalDate today) {
        return expires != null && today.isAfter(expires);
    }
}
