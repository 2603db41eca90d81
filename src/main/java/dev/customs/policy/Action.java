package dev.customs.policy;

/** What a rule's violation does. */
public enum Action {
    /** Deny the request. */
    ENFORCE,
    /** Allow it, with a warning shown to the client (kubectl prints it). */
    WARN,
    /** Allow it silently; record it in the audit annotations, an Event and metrics. */
    AUDIT,
    /** Do not evaluate the rule. */
    OFF;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The name in lower case, as configuration and metrics spell it. */
    public String label() {
        return label;
    }
}
