package dev.customs.policy;

import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.customs.rules.BaseImage;
import dev.customs.rules.Evaluation;
import dev.customs.rules.ImageReference;
import dev.customs.rules.ImageSize;
import dev.customs.rules.ImageUnverified;
import dev.customs.rules.RuleRegistry;
import dev.customs.rules.Violation;

/**
 * Decides what each finding does, in this order: the rule's action (a namespace's {@code customs.dev/rule.<id>} label,
 * else {@code customs.rules."<id>".action}, else the rule's default); a namespace's {@code customs.dev/action: warn|audit}
 * lowers it when it enforces; an active exemption covers it. An unverified image takes
 * {@code customs.registry.on-error}, but never more than the strongest rule it kept from deciding.
 */
public final class Policy {

    private static final Logger LOG = Logger.getLogger(Policy.class);

    /**
     * The action of a rule that configuration does not set: {@code enforce}, but {@code warn} for the rules whose
     * findings are costs rather than dangers, {@code image-size} and {@code base-image}.
     */
    public static final Map<String, Action> DEFAULT_ACTIONS = Map.of(ImageSize.ID, Action.WARN, BaseImage.ID,
            Action.WARN);
    private static final Set<Action> ANY_ACTION = Set.of(Action.values());
    private static final Set<Action> LOWERING_ACTIONS = Set.of(Action.WARN, Action.AUDIT);

    private final Map<String, Action> actions;
    /** Every rule's id constant and its action, configured or default, side by side. */
    private final String[] ruleIds;
    private final Action[] ruleActions;
    private final OnError onError;
    private final List<Exemption> exemptions;
    private final NamespaceLabels namespaces;
    private final Clock clock;
    private final Consumer<Exemption> onExpired;
    private final Set<String> reportedExpired = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedBadLabels = ConcurrentHashMap.newKeySet();
    /** The exemptions live on a day (UTC), worked out on the first review of the day. */
    private volatile Live live;

    private record Live(long day, List<Exemption> exemptions) {
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;

    /**
     * @param actions the configured action per rule id; a rule missing here takes its default
     *        ({@link #DEFAULT_ACTIONS}, else enforce)
     * @param onError what an unverified image does
     * @param exemptions the configured exemptions
     * @param namespaces namespace labels, from an informer cache
     * @param clock the clock exemptions expire by
     * @param onExpired called once per exemption the first time it is found expired
     */
    public Policy(Map<String, Action> actions, OnError onError, List<Exemption> exemptions, NamespaceLabels namespaces,
            Clock clock, Consumer<Exemption> onExpired) {
        for (String id : actions.keySet()) {
            requireRule(id, "customs.rules.\"" + id + "\"");
        }
        for (Exemption e : exemptions) {
            for (String id : e.rules()) {
                requireRule(id, "customs.exemptions.\"" + e.name() + "\".rules");
            }
        }
        this.actions = Map.copyOf(actions);
        this.ruleIds = RuleRegistry.IDS.toArray(String[]::new);
        this.ruleActions = new Action[ruleIds.length];
        for (int i = 0; i < ruleIds.length; i++) {
            Action a = actions.get(ruleIds[i]);
            ruleActions[i] = a != null ? a : DEFAULT_ACTIONS.getOrDefault(ruleIds[i], Action.ENFORCE);
        }
        this.onError = onError;
        this.exemptions = List.copyOf(exemptions);
        this.namespaces = namespaces;
        this.clock = clock;
        this.onExpired = onExpired;
    }

    private static void requireRule(String id, String where) {
        if (!RuleRegistry.IDS.contains(id)) {
            throw new IllegalArgumentException(where + ": unknown rule id \"" + id + "\"; known ids are "
                    + RuleRegistry.IDS);
        }
    }

    /** Every rule enforces; unverified images warn; no exemptions. */
    public static Policy enforceAll() {
        return new Policy(Map.of(), OnError.WARN, List.of(), NamespaceLabels.NONE, Clock.systemUTC(), e -> {
        });
    }

    /** The action of a rule in a namespace, after namespace labels. */
    public Action actionFor(String rule, String namespace) {
        return actionFor(rule, namespace, namespaces.labels(namespace));
    }

    private Action actionFor(String rule, String namespace, Map<String, String> labels) {
        Action configured = configuredAction(rule);
        if (labels.isEmpty()) {
            // most namespaces set no Customs label: nothing to look up
            return configured;
        }
        Action action = parse(labels.get(NamespaceLabels.RULE_LABEL_PREFIX + rule), namespace, ANY_ACTION)
                .orElse(configured);
        if (action == Action.ENFORCE) {
            action = parse(labels.get(NamespaceLabels.ACTION_LABEL), namespace, LOWERING_ACTIONS).orElse(action);
        }
        return action;
    }

    /** The configured action of a rule (or its default), before namespace labels. */
    public Action configuredAction(String rule) {
        // the rules' own id constants first, compared by identity: every rule and finding of every review asks
        for (int i = 0; i < ruleIds.length; i++) {
            if (ruleIds[i] == rule) {
                return ruleActions[i];
            }
        }
        Action a = actions.get(rule);
        return a != null ? a : DEFAULT_ACTIONS.getOrDefault(rule, Action.ENFORCE);
    }

    /** The rules to evaluate in a namespace: those whose action there is not off, by its labels now. */
    public Predicate<String> active(String namespace) {
        Map<String, String> labels = namespaces.labels(namespace);
        return id -> actionFor(id, namespace, labels) != Action.OFF;
    }

    public OnError onError() {
        return onError;
    }

    public Decision decide(Evaluation evaluation, Requester who) {
        String namespace = who.namespace();
        Map<String, String> labels = namespaces.labels(namespace);
        List<Exemption> live = liveExemptions(who);
        // each image a finding names is parsed once for the review, and only when some exemption names images
        Map<String, ImageReference> parsed = new HashMap<>();
        Function<String, ImageReference> ref = image -> image == null ? null
                : parsed.computeIfAbsent(image, ImageReference::parse);
        List<Decision.Finding> findings = new ArrayList<>();
        for (Violation v : evaluation.violations()) {
            Action action = actionFor(v.rule(), namespace, labels);
            if (action == Action.OFF) {
                continue;
            }
            String exemption = null;
            for (Exemption e : live) {
                if (e.covers(v.rule(), e.images().isEmpty() ? null : ref.apply(v.image()))) {
                    exemption = e.name();
                    break;
                }
            }
            findings.add(new Decision.Finding(v.rule(), v.container(), v.image(), v.field(), v.message(), action,
                    exemption));
        }
        for (ImageUnverified u : evaluation.unverified()) {
            Action action = unverifiedAction(u, namespace, labels);
            if (action == Action.OFF) {
                continue;
            }
            String exemption = live.stream()
                    .filter(e -> u.rules().stream().allMatch(r -> e.covers(r, e.images().isEmpty() ? null
                            : ref.apply(u.image()))))
                    .map(Exemption::name).findFirst().orElse(null);
            findings.add(new Decision.Finding(ImageUnverified.ID, u.containers().get(0).name(), u.image(), u.field(),
                    u.message(), action, exemption));
        }
        return new Decision(findings);
    }

    /** on-error, capped by the strongest action among the rules the image kept from deciding. */
    private Action unverifiedAction(ImageUnverified u, String namespace, Map<String, String> labels) {
        Action fromOnError = switch (onError) {
            case DENY -> Action.ENFORCE;
            case WARN -> Action.WARN;
            case ALLOW -> Action.OFF;
        };
        Action strongest = Action.OFF;
        for (String rule : u.rules()) {
            Action a = actionFor(rule, namespace, labels);
            if (a.ordinal() < strongest.ordinal()) {
                strongest = a;
            }
        }
        return fromOnError.ordinal() > strongest.ordinal() ? fromOnError : strongest;
    }

    /** The exemptions that apply today (UTC), worked out once a day; an expired one is logged and reported once. */
    public List<Exemption> liveExemptions() {
        if (exemptions.isEmpty()) {
            return List.of();
        }
        long day = Math.floorDiv(clock.millis(), MILLIS_PER_DAY);
        Live known = live;
        if (known != null && known.day() == day) {
            return known.exemptions();
        }
        List<Exemption> today = List.copyOf(liveOn(LocalDate.ofEpochDay(day)));
        live = new Live(day, today);
        return today;
    }

    /**
     * The live exemptions that apply to this requester (its namespace, user and groups), looked at once for a review:
     * mostly none, and then its findings need no exemption looked at.
     */
    List<Exemption> liveExemptions(Requester who) {
        List<Exemption> all = liveExemptions();
        List<Exemption> applying = null;
        for (int i = 0; i < all.size(); i++) {
            Exemption e = all.get(i);
            if (e.appliesTo(who)) {
                if (applying == null) {
                    applying = new ArrayList<>(all.size() - i);
                }
                applying.add(e);
            }
        }
        return applying == null ? List.of() : applying;
    }

    private List<Exemption> liveOn(LocalDate today) {
        List<Exemption> live = new ArrayList<>(exemptions.size());
        for (Exemption e : exemptions) {
            if (!e.expiredOn(today)) {
                live.add(e);
            } else if (reportedExpired.add(e.name())) {
                LOG.warnf("exemption=%s expired=%s reason=\"%s\": the exemption no longer applies; remove it or "
                        + "extend customs.exemptions.\"%s\".expires", e.name(), e.expires(), e.reason(), e.name());
                onExpired.accept(e);
            }
        }
        return live;
    }

    private Optional<Action> parse(String value, String namespace, Set<Action> allowed) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            Action a = Action.valueOf(value.strip().toUpperCase(Locale.ROOT));
            if (allowed.contains(a)) {
                return Optional.of(a);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        if (reportedBadLabels.add(namespace + "=" + value)) {
            LOG.warnf("namespace=%s label value \"%s\" is not one of %s; ignored", namespace, value, allowed);
        }
        return Optional.empty();
    }
}
