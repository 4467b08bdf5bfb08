package dev.dcont.runtime;

import dev.dcont.runtime.launch.CapabilitySet;
import dev.dcont.runtime.launch.LaunchPlanner;
import dev.dcont.runtime.launch.MountOptions;
import dev.dcont.runtime.launch.SeccompFilter;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.SpecJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The runtime spec's features document (features.md, features-linux.md): what the runtime recognises, as
 * {@code runc features} prints it. Each list is what the runtime's own code takes: the capability names of
 * {@link CapabilitySet}, the options {@link MountOptions} parses, the namespace types {@link LaunchPlanner} can
 * make, the seccomp names {@link SeccompFilter} compiles. Where the code has no list of its own (it accepts names in
 * a switch), the spec's names are offered to it and those it takes are listed: the spec's vocabulary is the only list
 * kept here, and a name the code starts or stops taking shows here without an edit.
 */
public final class Features {
    /** The oldest spec version whose configs are taken. */
    static final String OCI_VERSION_MIN = "1.0.0";
    /**
     * The newest spec version whose configs are taken (ociVersion is not checked; what a newer config adds that the
     * runtime does not know is left out of this document): 1.2.0 is the first whose features document has
     * mountExtensions.
     */
    static final String OCI_VERSION_MAX = "1.2.0";

    /** config-linux.md's namespace types. */
    private static final List<String> SPEC_NAMESPACES =
            List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts");
    /** config-linux.md's seccomp actions. */
    private static final List<String> SPEC_SECCOMP_ACTIONS = List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
            "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
            "SCMP_ACT_TRACE", "SCMP_ACT_TRAP");
    /** config-linux.md's seccomp argument comparisons. */
    private static final List<String> SPEC_SECCOMP_OPERATORS = List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
            "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE");
    /** config-linux.md's seccomp architectures, all of which the libseccomp the native stage links knows. */
    private static final List<String> SPEC_SECCOMP_ARCHS = List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",
            "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_X32",
            "SCMP_ARCH_X86", "SCMP_ARCH_X86_64");
    /** config-linux.md's seccomp filter flags. */
    private static final List<String> SPEC_SECCOMP_FLAGS = List.of("SECCOMP_FILTER_FLAG_TSYNC",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

    private Features() {}

    /** The features document, indented JSON. */
    public static String json() {
        return SpecJson.toJson(document());
    }

    static Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("ociVersionMin", OCI_VERSION_MIN);
        doc.put("ociVersionMax", OCI_VERSION_MAX);
        doc.put("hooks", OciHooks.KINDS);
        doc.put("mountOptions", MountOptions.recognized());
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", taken(SPEC_NAMESPACES, Features::namespaceTaken));
        linux.put("capabilities", CapabilitySet.names(-1L));
        Map<String, Object> cgroup = new LinkedHashMap<>();
        cgroup.put("v1", true);
        cgroup.put("v2", true);
        cgroup.put("systemd", false);
        cgroup.put("systemdUser", false);
        cgroup.put("rdma", false);
        linux.put("cgroup", cgroup);
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("enabled", true);
        seccomp.put("actions", taken(SPEC_SECCOMP_ACTIONS, a -> compiles(a, null, null, null)));
        seccomp.put("operators", taken(SPEC_SECCOMP_OPERATORS, op -> compiles("SCMP_ACT_ALLOW", null, null,
                List.of(new Linux.Syscall(List.of("getpid"), "SCMP_ACT_ERRNO", null,
                        List.of(new Linux.Arg(0, 0, 0, op)))))));
        seccomp.put("archs", taken(SPEC_SECCOMP_ARCHS, a -> compiles("SCMP_ACT_ALLOW", List.of(a), null, null)));
        List<String> flags = taken(SPEC_SECCOMP_FLAGS, f -> compiles("SCMP_ACT_ALLOW", null, List.of(f), null));
        seccomp.put("knownFlags", flags);
        seccomp.put("supportedFlags", flags);
        linux.put("seccomp", seccomp);
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        linux.put("intelRdt", Map.of("enabled", false));
        linux.put("mountExtensions", Map.of("idmap", Map.of("enabled", false)));
        doc.put("linux", linux);
        return doc;
    }

    private static List<String> taken(List<String> names, Predicate<String> takes) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (takes.test(n)) {
                out.add(n);
            }
        }
        return out;
    }

    private static boolean namespaceTaken(String type) {
        try {
            LaunchPlanner.cloneFlag(type);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean compiles(String defaultAction, List<String> archs, List<String> flags,
                                    List<Linux.Syscall> syscalls) {
        try {
            SeccompFilter.compile(new Linux.Seccomp(defaultAction, null, archs, flags, syscalls), false);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
