package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.dcont.runtime.launch.CapabilitySet;
import dev.dcont.runtime.launch.LaunchPlanner;
import dev.dcont.runtime.launch.MountOptions;
import dev.dcont.runtime.launch.SeccompFilter;
import dev.dcont.runtime.spec.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The features document is JSON of the spec's shape and lists what the runtime's code takes, nothing more. */
class FeaturesTest {
    @SuppressWarnings("unchecked")
    private static final Map<String, Object> DOC = parse();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse() {
        try {
            return JSON.std.mapFrom(Features.json());
        } catch (java.io.IOException e) {
            throw new AssertionError("features document is not JSON: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(String... keys) {
        Object o = DOC;
        for (String k : keys) {
            o = ((Map<String, Object>) o).get(k);
        }
        return (T) o;
    }

    @Test
    void theDocumentHasTheSpecsPropertiesOnly() {
        assertEquals("1.0.0", at("ociVersionMin"));
        assertEquals("1.2.0", at("ociVersionMax"));
        assertEquals(List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart",
                "poststop"), at("hooks"));
        assertTrue(Set.of("ociVersionMin", "ociVersionMax", "hooks", "mountOptions", "linux", "annotations")
                .containsAll(DOC.keySet()), DOC.keySet().toString());
        assertTrue(Set.of("namespaces", "capabilities", "cgroup", "seccomp", "apparmor", "selinux", "intelRdt",
                "mountExtensions").containsAll(this.<Map<String, Object>>at("linux").keySet()));
        assertEquals(Map.of("v1", true, "v2", true, "systemd", false, "systemdUser", false, "rdma", false),
                at("linux", "cgroup"));
        assertEquals(false, at("linux", "apparmor", "enabled"));
        assertEquals(false, at("linux", "selinux", "enabled"));
        assertEquals(false, at("linux", "mountExtensions", "idmap", "enabled"));
    }

    @Test
    void everyCapabilityListedIsOneTheRuntimeTakes() {
        List<String> caps = at("linux", "capabilities");
        assertEquals("CAP_CHOWN", caps.get(0));
        assertTrue(caps.containsAll(List.of("CAP_SYS_ADMIN", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE")));
        for (String c : caps) {
            assertEquals(c, CapabilitySet.names(1L << CapabilitySet.number(c)).get(0));
        }
    }

    @Test
    void mountOptionsAreTheFlagsTheParserKnowsNotFilesystemData() {
        List<String> options = at("mountOptions");
        assertTrue(options.containsAll(List.of("ro", "rw", "nosuid", "nodev", "noexec", "bind", "rbind", "rprivate",
                "rslave", "strictatime", "relatime", "remount")), options.toString());
        for (String o : options) {
            assertEquals("", MountOptions.parse(List.of(o)).data(), o + " would be passed as filesystem data");
        }
        assertFalse(options.contains("mode=755"));
        assertFalse(options.contains("tmpcopyup"), "tmpcopyup is not implemented");
    }

    @Test
    void namespacesAreTheTypesTheLauncherCanMake() {
        List<String> ns = at("linux", "namespaces");
        assertEquals(List.of("cgroup", "ipc", "mount", "network", "pid", "user", "uts"), ns);
        for (String n : ns) {
            assertTrue(LaunchPlanner.cloneFlag(n) != 0, n);
        }
    }

    @Test
    void seccompListsWhatTheFilterCompilerTakes() {
        assertEquals(true, at("linux", "seccomp", "enabled"));
        List<String> actions = at("linux", "seccomp", "actions");
        assertTrue(actions.containsAll(List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS",
                "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP")), actions.toString());
        assertFalse(actions.contains("SCMP_ACT_NOTIFY"), "SCMP_ACT_NOTIFY is refused by the filter compiler");
        for (String a : actions) {
            SeccompFilter.compile(new Linux.Seccomp(a, null, null, null, null), false);
        }
        assertEquals(7, this.<List<String>>at("linux", "seccomp", "operators").size());
        List<String> flags = at("linux", "seccomp", "knownFlags");
        assertEquals(List.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"),
                flags);
        assertEquals(flags, at("linux", "seccomp", "supportedFlags"));
    }

    @Test
    void everySeccompArchitectureListedIsKnownToTheLibseccompTheStageIsBuiltWith() throws Exception {
        // the pom links the native stage against this header's libseccomp
        String header = Files.readString(Path.of("/usr/include/seccomp.h"));
        List<String> archs = at("linux", "seccomp", "archs");
        assertTrue(archs.contains("SCMP_ARCH_X86_64") && archs.contains("SCMP_ARCH_AARCH64"), archs.toString());
        for (String a : archs) {
            assertTrue(java.util.regex.Pattern.compile("#define " + a + "\\s").matcher(header).find(),
                    a + " is not in the build's libseccomp");
        }
    }
}
