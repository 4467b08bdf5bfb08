package dev.dcont.runtime;

import java.util.List;
import java.util.Locale;

/** Signal names and numbers (Linux x86-64 / arm64 numbering). */
public final class Signals {
    private static final List<String> NAMES = List.of("", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
            "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
            "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

    /** The signals a foreground run forwards from the JVM to the container. */
    public static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "QUIT", "USR1", "USR2");

    private Signals() {}

    /** "TERM", "SIGTERM", "sigterm" or "15". */
    public static int parse(String s) {
        String n = s.toUpperCase(Locale.ROOT);
        if (n.startsWith("SIG")) {
            n = n.substring(3);
        }
        if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
            int v = Integer.parseInt(n);
            if (v <= 0 || v > 64) {
                throw new IllegalArgumentException("bad signal number " + s);
            }
            return v;
        }
        int i = NAMES.indexOf(n);
        if (i <= 0) {
            throw new IllegalArgumentException("unknown signal " + s);
        }
        return i;
    }
}
