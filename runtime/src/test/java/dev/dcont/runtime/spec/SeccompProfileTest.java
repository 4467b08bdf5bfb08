package dev.dcont.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's profile format to linux.seccomp, as moby's setupSeccomp does it. */
class SeccompProfileTest {
    private static final List<String> DOCKER = DefaultSpec.DOCKER_CAPABILITIES;
    private static final int[] KERNEL_6_1 = {6, 1};

    private static SeccompProfile.Profile json(String s) {
        return SpecJson.parse(s.replace('\'', '"').getBytes(StandardCharsets.UTF_8), SeccompProfile.Profile.class);
    }

    private static SeccompProfile.Profile dockerDefaultTree() throws IOException {
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
            return SpecJson.parse(in.readAllBytes(), SeccompProfile.Profile.class);
        }
    }

    private static List<String> allowed(Linux.Seccomp s) {
        List<String> out = new ArrayList<>();
        for (Linux.Syscall c : s.syscalls()) {
            if (c.action().equals("SCMP_ACT_ALLOW") && c.args() == null) {
                out.addAll(c.names());
            }
        }
        return out;
    }

    private static List<Linux.Syscall> rulesFor(Linux.Seccomp s, String name) {
        return s.syscalls().stream().filter(c -> c.names().contains(name)).toList();
    }

    @Test
    void theShippedProfileIsMobysDefaultJsonByteForByte() throws Exception {
        // github.com/moby/profiles/seccomp v0.2.3 seccomp/default.json, as vendored by moby (Docker 29)
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
            assertEquals("536529b665dd0972c37bfb569f5d4ac8a53592e7b00752bc39ff063ca9864c74",
                    HexFormat.of().formatHex(sha));
        }
    }

    @Test
    void dockersDefaultsRefuseTheKeyringPerfAndNamespacesAndAllowTheRest() {
        Linux.Seccomp s = SeccompProfile.dockerDefault(DOCKER);
        assertEquals("SCMP_ACT_ERRNO", s.defaultAction());
        assertEquals(1, s.defaultErrnoRet());
        assertNull(s.flags());
        List<String> allowed = allowed(s);
        for (String n : List.of("read", "write", "execve", "mkdir", "socketpair", "setresuid", "capset", "chroot")) {
            assertTrue(allowed.contains(n), n);
        }
        for (String n : List.of("add_key", "keyctl", "request_key", "perf_event_open", "unshare", "setns", "mount",
                "bpf", "reboot", "kexec_load", "open_by_handle_at", "syslog")) {
            assertTrue(rulesFor(s, n).isEmpty(), n + " is left to the default action (EPERM)");
        }
        assertEquals(List.of(new Linux.Syscall(List.of("clone3"), "SCMP_ACT_ERRNO", 38, null)), rulesFor(s, "clone3"));
        // clone without namespace flags only
        List<Linux.Syscall> clone = rulesFor(s, "clone");
        assertEquals(1, clone.size());
        assertEquals(List.of(new Linux.Arg(SeccompProfile.NATIVE_ARCH.startsWith("s390") ? 1 : 0, 0x7e020000L, 0,
                "SCMP_CMP_MASKED_EQ")), clone.get(0).args());
    }

    @Test
    void capabilitiesOfTheBoundingSetIncludeAndExcludeRules() {
        List<String> caps = new ArrayList<>(DOCKER);
        caps.addAll(List.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_PERFMON"));
        Linux.Seccomp s = SeccompProfile.dockerDefault(caps);
        List<String> allowed = allowed(s);
        for (String n : List.of("unshare", "setns", "mount", "clone", "clone3", "kcmp", "ptrace", "perf_event_open")) {
            assertTrue(allowed.contains(n), n);
        }
        assertTrue(rulesFor(s, "clone3").stream().noneMatch(c -> c.action().equals("SCMP_ACT_ERRNO")),
                "clone3's ENOSYS rule is excluded by CAP_SYS_ADMIN");
        assertTrue(rulesFor(s, "clone").stream().allMatch(c -> c.args() == null));
        assertTrue(rulesFor(s, "add_key").isEmpty(), "no capability opens the keyring");
        // chroot is in Docker's set: dropping CAP_SYS_CHROOT drops its rule
        List<String> noChroot = new ArrayList<>(DOCKER);
        noChroot.remove("CAP_SYS_CHROOT");
        assertTrue(rulesFor(SeccompProfile.dockerDefault(noChroot), "chroot").isEmpty());
    }

    @Test
    void theArchMapEntryOfThisMachineGivesTheArchitecturesAndArchesSelectRules() throws IOException {
        SeccompProfile.Profile p = dockerDefaultTree();
        Linux.Seccomp amd64 = SeccompProfile.convert(p, DOCKER, "amd64", KERNEL_6_1);
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), amd64.architectures());
        assertTrue(allowed(amd64).containsAll(List.of("arch_prctl", "modify_ldt")));
        assertTrue(rulesFor(amd64, "set_tls").isEmpty());
        Linux.Seccomp arm64 = SeccompProfile.convert(p, DOCKER, "arm64", KERNEL_6_1);
        assertEquals(List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"), arm64.architectures());
        assertTrue(allowed(arm64).contains("set_tls"));
        assertTrue(rulesFor(arm64, "arch_prctl").isEmpty());
        Linux.Seccomp s390x = SeccompProfile.convert(p, DOCKER, "s390x", KERNEL_6_1);
        assertEquals(List.of(new Linux.Arg(1, 0x7e020000L, 0, "SCMP_CMP_MASKED_EQ")),
                rulesFor(s390x, "clone").get(0).args(), "s390's argument order");
        assertEquals(List.of("SCMP_ARCH_RISCV64"), SeccompProfile.convert(p, DOCKER, "riscv64", KERNEL_6_1)
                .architectures());
        assertNull(SeccompProfile.convert(p, DOCKER, "sparc", KERNEL_6_1).architectures(), "libseccomp's native one");
        assertEquals("amd64", SeccompProfile.nativeArch("amd64"));
        assertEquals("arm64", SeccompProfile.nativeArch("aarch64"));
    }

    @Test
    void minKernelIncludesAndExcludesByTheRunningKernelsVersionAndMajor() throws IOException {
        SeccompProfile.Profile p = json("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
                + "{'names':['ptrace'],'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'4.8'}},"
                + "{'names':['old'],'action':'SCMP_ACT_ALLOW','excludes':{'minKernel':'5.10'}}]}");
        assertEquals(List.of("old"), allowed(SeccompProfile.convert(p, DOCKER, "amd64", new int[] {4, 7})));
        assertEquals(List.of("ptrace", "old"), allowed(SeccompProfile.convert(p, DOCKER, "amd64", new int[] {4, 8})));
        assertEquals(List.of("ptrace"), allowed(SeccompProfile.convert(p, DOCKER, "amd64", new int[] {5, 10})));
        assertArrayEquals(new int[] {6, 18}, SeccompProfile.kernel("6.18.44-fc-v1252"));
        assertArrayEquals(new int[] {3, 12}, SeccompProfile.kernel("3.12-1-amd64"));
        for (String bad : List.of("4", "4.8.1", "a.b", "0.0", "256.1", "")) {
            SeccompProfile.Profile q = json("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['x'],"
                    + "'action':'SCMP_ACT_ALLOW','includes':{'minKernel':'" + bad + "'}}]}");
            if (bad.isEmpty()) {
                assertEquals(List.of("x"), allowed(SeccompProfile.convert(q, DOCKER, "amd64", KERNEL_6_1)));
            } else {
                assertThrows(IllegalArgumentException.class, () -> SeccompProfile.convert(q, DOCKER, "amd64",
                        KERNEL_6_1), bad);
            }
        }
    }

    @Test
    void everythingElseIsCopiedAndNameBecomesNames() throws IOException {
        Linux.Seccomp s = SeccompProfile.parse(("{'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':13,"
                + "'architectures':['SCMP_ARCH_X86_64'],'flags':['SECCOMP_FILTER_FLAG_LOG'],'syscalls':["
                + "{'name':'mkdir','action':'SCMP_ACT_ERRNO','errnoRet':13,'comment':'no dirs'},"
                + "{'names':['socket'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':40,'valueTwo':0,"
                + "'op':'SCMP_CMP_EQ'}]}]}").replace('\'', '"').getBytes(StandardCharsets.UTF_8), DOCKER);
        assertEquals(new Linux.Seccomp("SCMP_ACT_ALLOW", 13, List.of("SCMP_ARCH_X86_64"),
                List.of("SECCOMP_FILTER_FLAG_LOG"), List.of(
                        new Linux.Syscall(List.of("mkdir"), "SCMP_ACT_ERRNO", 13, null),
                        new Linux.Syscall(List.of("socket"), "SCMP_ACT_ERRNO", null,
                                List.of(new Linux.Arg(0, 40, 0, "SCMP_CMP_EQ"))))), s);
    }

    @Test
    void whatDockerRefusesIsRefusedAndAnEmptyProfileIsNoFilter() {
        assertNull(SeccompProfile.parse("{}".getBytes(StandardCharsets.UTF_8), DOCKER));
        assertNull(SeccompProfile.parse("{\"defaultAction\":\"\",\"syscalls\":[]}".getBytes(StandardCharsets.UTF_8),
                DOCKER));
        List<String> bad = List.of("{\"defaultAction\": ",
                "[1]",
                "{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64'],"
                        + "'archMap':[{'architecture':'SCMP_ARCH_X86_64'}]}",
                "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'name':'a','names':['b'],'action':'SCMP_ACT_ALLOW'}]}",
                "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':'read','action':'SCMP_ACT_ALLOW'}]}",
                "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW',"
                        + "'args':[{'index':0,'value':18446744073709551615,'op':'SCMP_CMP_EQ'}]}]}");
        for (String b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SeccompProfile.parse(b.replace('\'', '"').getBytes(StandardCharsets.UTF_8), DOCKER), b);
            assertTrue(!e.getMessage().isBlank() && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
