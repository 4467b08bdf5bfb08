package dev.dcont.runtime.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Docker's seccomp profile format turned into the runtime spec's {@code linux.seccomp}, as Docker's daemon does it
 * when it builds a container's spec (moby {@code profiles/seccomp/seccomp_linux.go}, {@code setupSeccomp}): the
 * {@code archMap} entry of this machine's architecture gives the architectures; a rule whose {@code includes} /
 * {@code excludes} conditions (capabilities of the bounding set, architecture, minimum kernel) do not hold is left
 * out; {@code name} becomes {@code names}; everything else is copied.
 *
 * <p>The built-in profile, {@code seccomp-default.json} beside this class, is Docker's default profile byte for
 * byte: {@code seccomp/default.json} of the module {@code github.com/moby/profiles/seccomp v0.2.3}, the file that
 * moby (Docker 29) vendors as {@code vendor/github.com/moby/profiles/seccomp/default.json} and uses as its built-in
 * profile (sha256 {@code 536529b665dd0972c37bfb569f5d4ac8a53592e7b00752bc39ff063ca9864c74}; it was
 * {@code profiles/seccomp/default.json} of moby before it moved to its own module).
 */
public final class SeccompProfile {
    /** This machine's architecture in the names Docker's profiles use in {@code arches} (Go's, through moby's map). */
    static final String NATIVE_ARCH = nativeArch(System.getProperty("os.arch"));

    private SeccompProfile() {}

    /** Docker's built-in profile for a container whose bounding set is {@code bounding}. */
    public static Linux.Seccomp dockerDefault(List<String> bounding) {
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
            if (in == null) {
                throw new IllegalStateException("seccomp-default.json is missing from the runtime jar");
            }
            return parse(in.readAllBytes(), bounding);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A profile in Docker's format for a container whose bounding set is {@code bounding}; null when it disables
     * seccomp (no default action and no rules, as Docker reads it). Throws IllegalArgumentException with a
     * one-line reason when it is not a profile.
     */
    public static Linux.Seccomp parse(byte[] json, List<String> bounding) {
        Profile p = SpecJson.parse(json, Profile.class);
        if (p == null) {
            throw new IllegalArgumentException("not a seccomp profile: null");
        }
        return convert(p, bounding, NATIVE_ARCH, kernel(System.getProperty("os.version")));
    }

    /** Docker's profile format (moby {@code api/types/seccomp}), the members the conversion reads. */
    record Profile(String defaultAction, Long defaultErrnoRet, List<String> architectures, List<ArchMap> archMap,
                   List<String> flags, List<Rule> syscalls) {}

    /** An architecture and the sub-architectures the filter covers with it. */
    record ArchMap(String architecture, List<String> subArchitectures) {}

    /** One rule; {@code name} is the older spelling of a single-name {@code names}. */
    record Rule(List<String> names, String name, String action, Long errnoRet, List<Arg> args, Filter includes,
                Filter excludes) {}

    /** A comparison of argument {@code index}; values are the spec's uint64, read as far as a long goes. */
    record Arg(int index, long value, long valueTwo, String op) {}

    /** When a rule applies: architectures, capabilities of the bounding set, the least kernel version. */
    record Filter(List<String> arches, List<String> caps, String minKernel) {}

    static Linux.Seccomp convert(Profile p, List<String> bounding, String arch, int[] kernel) {
        List<Rule> syscalls = p.syscalls() == null ? List.of() : p.syscalls();
        String defaultAction = p.defaultAction();
        if ((defaultAction == null || defaultAction.isEmpty()) && syscalls.isEmpty()) {
            return null;
        }
        List<String> architectures = p.architectures();
        List<ArchMap> archMap = p.archMap() == null ? List.of() : p.archMap();
        if (architectures != null && !architectures.isEmpty() && !archMap.isEmpty()) {
            throw new IllegalArgumentException("both 'architectures' and 'archMap' are specified in the seccomp profile,"
                    + " use either 'architectures' or 'archMap'");
        }
        String seccompArch = NATIVE_TO_SECCOMP.get(arch);
        if (seccompArch != null) {
            for (ArchMap a : archMap) {
                if (seccompArch.equals(a.architecture())) {
                    architectures = new ArrayList<>(architectures == null ? List.of() : architectures);
                    architectures.add(seccompArch);
                    if (a.subArchitectures() != null) {
                        architectures.addAll(a.subArchitectures());
                    }
                    break;
                }
            }
        }
        List<Linux.Syscall> out = new ArrayList<>();
        for (Rule call : syscalls) {
            List<String> names = call.names();
            String name = call.name();
            if (name != null && !name.isEmpty()) {
                if (names != null && !names.isEmpty()) {
                    throw new IllegalArgumentException("both 'name' and 'names' are specified in the seccomp profile,"
                            + " use either 'name' or 'names'");
                }
                names = List.of(name);
            }
            if (!applies(call.excludes(), call.includes(), bounding, arch, kernel)) {
                continue;
            }
            List<Linux.Arg> args = null;
            if (call.args() != null) {
                args = new ArrayList<>();
                for (Arg a : call.args()) {
                    args.add(new Linux.Arg(a.index(), uint64(a.value()), uint64(a.valueTwo()), a.op()));
                }
            }
            out.add(new Linux.Syscall(names, call.action(), errno(call.errnoRet()), args));
        }
        return new Linux.Seccomp(defaultAction, errno(p.defaultErrnoRet()), architectures, p.flags(), out);
    }

    /** moby's order: any exclude that holds drops the rule, then any include that does not. */
    private static boolean applies(Filter excludes, Filter includes, List<String> bounding, String arch, int[] kernel) {
        if (excludes != null) {
            List<String> arches = excludes.arches();
            if (arches != null && arches.contains(arch)) {
                return false;
            }
            List<String> caps = excludes.caps();
            if (caps != null) {
                for (String c : caps) {
                    if (bounding.contains(c)) {
                        return false;
                    }
                }
            }
            int[] min = minKernel(excludes.minKernel());
            if (min != null && atLeast(kernel, min)) {
                return false;
            }
        }
        if (includes != null) {
            List<String> arches = includes.arches();
            if (arches != null && !arches.isEmpty() && !arches.contains(arch)) {
                return false;
            }
            List<String> caps = includes.caps();
            if (caps != null) {
                for (String c : caps) {
                    if (!bounding.contains(c)) {
                        return false;
                    }
                }
            }
            int[] min = minKernel(includes.minKernel());
            if (min != null && !atLeast(kernel, min)) {
                return false;
            }
        }
        return true;
    }

    private static boolean atLeast(int[] kernel, int[] min) {
        return kernel[0] > min[0] || (kernel[0] == min[0] && kernel[1] >= min[1]);
    }

    /** moby's {@code KernelVersion}: "KERNEL.MAJOR", each at most 255, not "0.0"; "" is no condition. */
    private static int[] minKernel(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        String[] parts = v.split("\\.", 3);
        int[] k = new int[2];
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            for (int i = 0; i < 2; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) {
                    throw new NumberFormatException();
                }
                for (int c = 0; c < parts[i].length(); c++) {
                    if (parts[i].charAt(c) < '0' || parts[i].charAt(c) > '9') {
                        throw new NumberFormatException();
                    }
                }
                k[i] = Integer.parseInt(parts[i]);
                if (k[i] > 255) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid kernel version: \"" + v + "\", expected \"<kernel>.<major>\"");
        }
        if (k[0] == 0 && k[1] == 0) {
            throw new IllegalArgumentException("invalid kernel version: \"" + v + "\": version cannot be 0.0");
        }
        return k;
    }

    /** The running kernel's version and major revision, from a release such as "6.1.0-18-amd64". */
    static int[] kernel(String release) {
        int[] k = new int[2];
        int i = 0;
        for (int part = 0; part < 2; part++) {
            int start = i;
            while (i < release.length() && Character.isDigit(release.charAt(i))) {
                i++;
            }
            if (i == start || (part == 0 && (i >= release.length() || release.charAt(i) != '.'))) {
                throw new IllegalStateException("cannot read the kernel version from \"" + release + "\"");
            }
            k[part] = Integer.parseInt(release.substring(start, i));
            i++;
        }
        return k;
    }

    private static Integer errno(Long v) {
        if (v == null) {
            return null;
        }
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException("errnoRet " + v + " is out of range");
        }
        return (int) (long) v;
    }

    private static long uint64(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("seccomp argument value " + v
                    + " is not supported (0 to 9223372036854775807)");
        }
        return v;
    }

    /** moby's {@code goToNative}, from the JVM's name for the architecture. */
    static String nativeArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "x86";
            case "arm" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "ppc64" -> "ppc64";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            case "mips64el" -> "mipsel64";
            case "mips64" -> "mips64";
            case "loongarch64" -> "loongarch64";
            default -> osArch;
        };
    }

    /** moby's {@code nativeToSeccomp}. */
    private static final Map<String, String> NATIVE_TO_SECCOMP = Map.ofEntries(
            Map.entry("x86", "SCMP_ARCH_X86"), Map.entry("amd64", "SCMP_ARCH_X86_64"),
            Map.entry("arm", "SCMP_ARCH_ARM"), Map.entry("arm64", "SCMP_ARCH_AARCH64"),
            Map.entry("loong64", "SCMP_ARCH_LOONGARCH64"), Map.entry("mips64", "SCMP_ARCH_MIPS64"),
            Map.entry("mips64n32", "SCMP_ARCH_MIPS64N32"), Map.entry("mipsel64", "SCMP_ARCH_MIPSEL64"),
            Map.entry("mips3l64n32", "SCMP_ARCH_MIPSEL64N32"), Map.entry("mipsle", "SCMP_ARCH_MIPSEL"),
            Map.entry("ppc", "SCMP_ARCH_PPC"), Map.entry("ppc64", "SCMP_ARCH_PPC64"),
            Map.entry("ppc64le", "SCMP_ARCH_PPC64LE"), Map.entry("riscv64", "SCMP_ARCH_RISCV64"),
            Map.entry("s390", "SCMP_ARCH_S390"), Map.entry("s390x", "SCMP_ARCH_S390X"));
}
