package dev.customs.cli;

import java.util.logging.Handler;
import java.util.logging.Level;

import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.Logger;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * The log of a {@code customs check} run: warnings only (an expired exemption, a registry refused), on standard error
 * and prefixed so they are not mistaken for findings; with {@code --verbose}, Customs' debug lines too (which registry
 * was asked what, why an image is unverified). The webhook's INFO lines, such as its registry settings, would be noise
 * here. Uses the JBoss log manager the webhook's classes log through, installed before any class logs.
 */
final class CliLogging {

    private static final String MANAGER = "java.util.logging.manager";

    private CliLogging() {
    }

    /** Installs the JBoss log manager; call first in {@code main}, before anything touches java.util.logging. */
    static void install() {
        if (System.getProperty(MANAGER) == null) {
            System.setProperty(MANAGER, org.jboss.logmanager.LogManager.class.getName());
        }
    }

    static void configure(boolean verbose) {
        Logger root = LogContext.getLogContext().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler(ConsoleHandler.Target.SYSTEM_ERR,
                new PatternFormatter("customs check: %p [%c{1}] %s%n"));
        console.setLevel(Level.ALL);
        root.addHandler(console);
        root.setLevel(Level.WARNING);
        LogContext.getLogContext().getLogger("dev.customs").setLevel(verbose ? Level.FINE : Level.WARNING);
    }
}
