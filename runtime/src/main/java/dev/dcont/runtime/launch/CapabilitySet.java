package dev.dcont.runtime.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Capability names (as in the spec, {@code CAP_NET_RAW}) to their kernel numbers and 64-bit masks. */
public final class CapabilitySet {
    private static final List<String> NAMES = List.of(
            "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
            "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
            "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
            "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL",
            "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
            "PERFMON", "BPF", "CHECKPOINT_RESTORE");

    private CapabilitySet() {}

    public static int number(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.startsWith("CAP_")) {
            n = n.substring(4);
        }
        int i = NAMES.indexOf(n);
        if (i < 0) {
            throw new IllegalArgumentException("unknown capability " + name);
        }
        return i;
    }

    public static long mask(List<String> names) {
        long m = 0;
        for (String n : names == null ? List.<String>of() : names) {
            m |= 1L << number(n);
        }
        return m;
    }

    public static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            if ((mask & (1L << i)) != 0) {
                out.add("CAP_" + NAMES.get(i));
            }
        }
        return out;
    }
}
