package dev.dcont.runtime.launch;

import dev.dcont.runtime.spec.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code linux.seccomp} checked and reduced to what libseccomp takes, as runc's {@code InitSeccomp} does: actions
 * as the kernel's 32-bit {@code SECCOMP_RET_*} values (an errno without {@code errnoRet} is EPERM), architectures in
 * libseccomp's names, a rule per group of names with its comparisons (libseccomp's {@code SCMP_CMP_*} numbers).
 * As runc: a rule whose action is the default action is dropped; a rule with two comparisons on one argument
 * becomes one rule per comparison; when the spec has no {@code flags}, {@code SPEC_ALLOW} is asked for where the
 * kernel has it. The native stage resolves the names (an unknown name is skipped, as runc does) and loads it.
 *
 * @param atExec load right before execve (with no_new_privs) rather than where the step stands
 * @param cacheDir where the native stage keeps the programs it built (a directory only root may write), or null
 */
public record SeccompFilter(boolean atExec, String cacheDir, long defaultAction, List<String> architectures,
                            int flags, List<Rule> rules) {
    /** {@code SECCOMP_FILTER_FLAG_LOG}. */
    public static final int FLAG_LOG = 1;
    /** {@code SECCOMP_FILTER_FLAG_SPEC_ALLOW}. */
    public static final int FLAG_SPEC_ALLOW = 2;
    /** SPEC_ALLOW where the kernel and libseccomp have it, nothing otherwise: runc's default. */
    public static final int FLAG_SPEC_ALLOW_IF_SUPPORTED = 4;

    static final long ACT_KILL_THREAD = 0x00000000L, ACT_KILL_PROCESS = 0x80000000L, ACT_TRAP = 0x00030000L,
            ACT_ERRNO = 0x00050000L, ACT_TRACE = 0x7ff00000L, ACT_LOG = 0x7ffc0000L, ACT_ALLOW = 0x7fff0000L;
    private static final int EPERM = 1;

    /** {@code names} get {@code action} when every comparison holds. */
    public record Rule(long action, List<Cond> conds, List<String> names) {}

    /** libseccomp's {@code scmp_arg_cmp}: argument {@code index}, {@code op} (1 NE .. 7 MASKED_EQ), two values. */
    public record Cond(int index, int op, long value, long valueTwo) {}

    /** Compiles {@code s}; IllegalArgumentException with a one-line reason for what cannot be loaded. */
    public static SeccompFilter compile(Linux.Seccomp s, boolean atExec) {
        return compile(s, atExec, null);
    }

    /** {@link #compile(Linux.Seccomp, boolean)}, the stage keeping the program it builds in {@code cacheDir}. */
    public static SeccompFilter compile(Linux.Seccomp s, boolean atExec, String cacheDir) {
        long def = action(s.defaultAction(), s.defaultErrnoRet(), "defaultAction");
        List<String> arches = new ArrayList<>();
        for (String a : s.architectures() == null ? List.<String>of() : s.architectures()) {
            arches.add(arch(a));
        }
        int flags = 0;
        if (s.flags() == null) {
            flags = FLAG_SPEC_ALLOW_IF_SUPPORTED;
        } else {
            for (String f : s.flags()) {
                switch (f) {
                    case "SECCOMP_FILTER_FLAG_TSYNC" -> { } // one thread: nothing to synchronise
                    case "SECCOMP_FILTER_FLAG_LOG" -> flags |= FLAG_LOG;
                    case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> flags |= FLAG_SPEC_ALLOW;
                    default -> throw new IllegalArgumentException("seccomp flag " + f + " is not supported");
                }
            }
        }
        List<Rule> rules = new ArrayList<>();
        for (Linux.Syscall c : s.syscalls() == null ? List.<Linux.Syscall>of() : s.syscalls()) {
            List<String> names = c.names() == null ? List.of() : c.names();
            for (String n : names) {
                if (n == null || n.isEmpty()) {
                    throw new IllegalArgumentException("seccomp: an empty string is not a system call name");
                }
            }
            long act = action(c.action(), c.errnoRet(), "the action for " + names);
            if (act == def || names.isEmpty()) {
                continue;
            }
            List<Cond> conds = new ArrayList<>();
            boolean[] seen = new boolean[6];
            boolean sameArgTwice = false;
            for (Linux.Arg a : c.args() == null ? List.<Linux.Arg>of() : c.args()) {
                if (a.index() < 0 || a.index() > 5) {
                    throw new IllegalArgumentException("seccomp: argument index " + a.index() + " for " + names
                            + " is out of range (0 to 5)");
                }
                sameArgTwice |= seen[a.index()];
                seen[a.index()] = true;
                conds.add(new Cond(a.index(), op(a.op()), a.value(), a.valueTwo()));
            }
            if (sameArgTwice) {
                for (Cond k : conds) {
                    rules.add(new Rule(act, List.of(k), List.copyOf(names)));
                }
            } else {
                rules.add(new Rule(act, List.copyOf(conds), List.copyOf(names)));
            }
        }
        return new SeccompFilter(atExec, cacheDir, def, List.copyOf(arches), flags, List.copyOf(rules));
    }

    static long action(String action, Integer errnoRet, String what) {
        if (action == null) {
            throw new IllegalArgumentException("seccomp: " + what + " is missing");
        }
        return switch (action) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> ACT_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> ACT_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> ACT_TRAP;
            case "SCMP_ACT_ERRNO" -> ACT_ERRNO | ret(errnoRet);
            case "SCMP_ACT_TRACE" -> ACT_TRACE | ret(errnoRet);
            case "SCMP_ACT_LOG" -> ACT_LOG;
            case "SCMP_ACT_ALLOW" -> ACT_ALLOW;
            case "SCMP_ACT_NOTIFY" -> throw new IllegalArgumentException(
                    "seccomp: SCMP_ACT_NOTIFY (a user-space agent) is not supported");
            default -> throw new IllegalArgumentException("seccomp: unknown action " + action + " in " + what);
        };
    }

    private static long ret(Integer errnoRet) {
        return (errnoRet == null ? EPERM : errnoRet) & 0xffffL;
    }

    static int op(String op) {
        if (op == null) {
            throw new IllegalArgumentException("seccomp: an argument comparison has no op");
        }
        return switch (op) {
            case "SCMP_CMP_NE" -> 1;
            case "SCMP_CMP_LT" -> 2;
            case "SCMP_CMP_LE" -> 3;
            case "SCMP_CMP_EQ" -> 4;
            case "SCMP_CMP_GE" -> 5;
            case "SCMP_CMP_GT" -> 6;
            case "SCMP_CMP_MASKED_EQ" -> 7;
            default -> throw new IllegalArgumentException("seccomp: unknown comparison " + op);
        };
    }

    /** The spec's {@code SCMP_ARCH_X86_64} as libseccomp's {@code x86_64}. */
    static String arch(String a) {
        if (a == null || !a.startsWith("SCMP_ARCH_") || a.length() == "SCMP_ARCH_".length()) {
            throw new IllegalArgumentException("seccomp: unknown architecture " + a);
        }
        return a.substring("SCMP_ARCH_".length()).toLowerCase(Locale.ROOT);
    }
}
