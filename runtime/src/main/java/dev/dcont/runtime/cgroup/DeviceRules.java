package dev.dcont.runtime.cgroup;

import dev.dcont.runtime.spec.Linux;
import java.util.ArrayList;
import java.util.List;

/**
 * The device rules a container's cgroup enforces, from the spec's {@code linux.resources.devices}: everything
 * denied, then the spec's rules in order, then the devices the runtime itself makes in every container's /dev
 * (the runtime spec's default devices null, zero, full, random, urandom and tty, and ptmx and the terminals of the
 * container's devpts), which the spec cannot take away. A rule of type {@code a} (all devices) sets what is
 * allowed by default and makes the rules before it moot, as writing "a" to a v1 devices file does.
 *
 * <p>A request for some accesses (r, w, m) to one device is allowed when each access it asks for is allowed by
 * the last rule that names the device and that access; with no such rule, by the default. cgroup v1 gets the
 * rules written to devices.deny and devices.allow ({@link CgroupV1Manager}); cgroup v2 a BPF program built from
 * them by the native stage (devices_bpf.c), which follows these words; {@link #allows} is their reference.
 *
 * <p>Unlike runc, which appends mknod of any device and /dev/net/tun to every spec's rules (a list its maintainers
 * call questionable, as no spec can turn it off), only the devices the runtime makes are added: Docker's wider
 * list is in {@code DefaultSpec}, where a spec can change it.
 */
public final class DeviceRules {
    /** One reduced rule: type 'c' or 'b', major and minor -1 for any, access a set of {@link #M}, {@link #R}, {@link #W}. */
    public record Rule(boolean allow, char type, long major, long minor, int access) {
        /** The rule as the native stage and the v1 files read it, e.g. "allow c 1:3 rwm" or "deny b *:* m". */
        public String text() {
            return (allow ? "allow " : "deny ") + body();
        }

        /** "c 1:3 rwm": what a v1 devices.allow or devices.deny file takes. */
        String body() {
            return type + " " + (major < 0 ? "*" : Long.toString(major)) + ":" + (minor < 0 ? "*" : Long.toString(minor))
                    + " " + accessString(access);
        }

        // written out: a record's generated equals and hashCode link method handles at their first call, which
        // every container start would pay for (docs/runtime.md, Start latency)
        @Override
        public boolean equals(Object o) {
            return o instanceof Rule r && r.allow == allow && r.type == type && r.major == major && r.minor == minor
                    && r.access == access;
        }

        @Override
        public int hashCode() {
            return (((Boolean.hashCode(allow) * 31 + type) * 31 + Long.hashCode(major)) * 31 + Long.hashCode(minor)) * 31
                    + access;
        }
    }

    /** Access bits as the kernel's BPF device context has them. */
    public static final int M = 1, R = 2, W = 4;

    /** The devices the runtime makes in every container (see {@code MountPlanner.DEFAULT_DEVICES}), and the pty ones. */
    static final List<Rule> RUNTIME_DEVICES = List.of(
            new Rule(true, 'c', 1, 3, M | R | W), new Rule(true, 'c', 1, 5, M | R | W),
            new Rule(true, 'c', 1, 7, M | R | W), new Rule(true, 'c', 1, 8, M | R | W),
            new Rule(true, 'c', 1, 9, M | R | W), new Rule(true, 'c', 5, 0, M | R | W),
            new Rule(true, 'c', 5, 2, M | R | W), new Rule(true, 'c', 136, -1, M | R | W));

    private final boolean defaultAllow;
    private final List<Rule> rules;

    private DeviceRules(boolean defaultAllow, List<Rule> rules) {
        this.defaultAllow = defaultAllow;
        this.rules = rules;
    }

    /** The rules for {@code resources} (null: none given); a malformed rule is an IllegalArgumentException. */
    public static DeviceRules of(Linux.Resources resources) {
        List<Linux.DeviceRule> spec = resources == null || resources.devices() == null ? List.of() : resources.devices();
        boolean defaultAllow = false;
        List<Rule> out = new ArrayList<>();
        for (Linux.DeviceRule d : spec) {
            Rule r = reduce(d);
            if (r == null) {
                defaultAllow = d.allow();
                out.clear();
            } else {
                add(out, r);
            }
        }
        for (Rule r : RUNTIME_DEVICES) {
            add(out, r);
        }
        return new DeviceRules(defaultAllow, List.copyOf(out));
    }

    /** Adds {@code r} last; an identical rule before it can never decide and goes. */
    private static void add(List<Rule> rules, Rule r) {
        rules.remove(r);
        rules.add(r);
    }

    /** The rule as a {@link Rule}, or null for a rule of type a. */
    private static Rule reduce(Linux.DeviceRule d) {
        String type = d.type() == null ? "a" : d.type();
        if (type.equals("a")) {
            return null;
        }
        if (!type.equals("c") && !type.equals("b")) {
            throw new IllegalArgumentException("linux.resources.devices: type must be a, c or b, got \"" + type + "\"");
        }
        return new Rule(d.allow(), type.charAt(0), number(d.major(), "major"), number(d.minor(), "minor"),
                access(d.access()));
    }

    private static long number(Long n, String what) {
        if (n == null || n == -1) {
            return -1;
        }
        // device numbers are at most 32 bits; the BPF program compares them with 32-bit signed immediates
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("linux.resources.devices: " + what + " must be between 0 and "
                    + Integer.MAX_VALUE + " (or left out for any), got " + n);
        }
        return n;
    }

    private static int access(String s) {
        if (s == null || s.isEmpty()) {
            return M | R | W;
        }
        int a = 0;
        for (char c : s.toCharArray()) {
            switch (c) {
                case 'm' -> a |= M;
                case 'r' -> a |= R;
                case 'w' -> a |= W;
                default -> throw new IllegalArgumentException("linux.resources.devices: access must be made of r, w"
                        + " and m, got \"" + s + "\"");
            }
        }
        return a;
    }

    static String accessString(int a) {
        return ((a & R) != 0 ? "r" : "") + ((a & W) != 0 ? "w" : "") + ((a & M) != 0 ? "m" : "");
    }

    /** Whether devices not named by any rule are allowed. */
    public boolean defaultAllow() {
        return defaultAllow;
    }

    /** The rules after the last rule of type a, in order, without duplicates. */
    public List<Rule> rules() {
        return rules;
    }

    /** The rules as {@link Rule#text()}s, in order. */
    public List<String> texts() {
        List<String> out = new ArrayList<>(rules.size());
        for (Rule r : rules) {
            out.add(r.text());
        }
        return out;
    }

    /** Whether a request for {@code access} (a set of M, R, W) to device {@code type major:minor} is allowed. */
    public boolean allows(char type, long major, long minor, int access) {
        for (int bit : new int[] {M, R, W}) {
            if ((access & bit) == 0) {
                continue;
            }
            boolean allowed = defaultAllow;
            for (int i = rules.size() - 1; i >= 0; i--) {
                Rule r = rules.get(i);
                if ((r.access() & bit) != 0 && r.type() == type && (r.major() < 0 || r.major() == major)
                        && (r.minor() < 0 || r.minor() == minor)) {
                    allowed = r.allow();
                    break;
                }
            }
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
