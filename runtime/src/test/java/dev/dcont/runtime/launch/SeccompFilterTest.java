package dev.dcont.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.SeccompProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** linux.seccomp to what the native stage hands libseccomp, as runc's InitSeccomp reads a spec. */
class SeccompFilterTest {
    private static Linux.Seccomp spec(String def, Integer defErrno, List<String> flags, Linux.Syscall... calls) {
        return new Linux.Seccomp(def, defErrno, List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), flags,
                List.of(calls));
    }

    private static Linux.Syscall call(String action, Integer errno, List<Linux.Arg> args, String... names) {
        return new Linux.Syscall(List.of(names), action, errno, args);
    }

    @Test
    void actionsBecomeTheKernelsReturnValuesWithEpermForAnErrnoWithoutErrnoRet() {
        SeccompFilter f = SeccompFilter.compile(spec("SCMP_ACT_ERRNO", null, null,
                call("SCMP_ACT_ALLOW", null, null, "read"),
                call("SCMP_ACT_ERRNO", 38, null, "clone3"),
                call("SCMP_ACT_KILL", null, null, "reboot"),
                call("SCMP_ACT_KILL_PROCESS", null, null, "kexec_load"),
                call("SCMP_ACT_TRAP", null, null, "acct"),
                call("SCMP_ACT_LOG", null, null, "uname"),
                call("SCMP_ACT_TRACE", 5, null, "ptrace")), false);
        assertEquals(0x50001L, f.defaultAction());
        assertEquals(List.of(0x7fff0000L, 0x50026L, 0L, 0x80000000L, 0x30000L, 0x7ffc0000L, 0x7ff00005L),
                f.rules().stream().map(SeccompFilter.Rule::action).toList());
        assertEquals(List.of("x86_64", "x86", "x32"), f.architectures());
        assertEquals(0x50000L | 13, SeccompFilter.compile(spec("SCMP_ACT_ERRNO", 13, null), false).defaultAction());
    }

    @Test
    void aRuleWithTheDefaultActionIsDroppedAsRuncDoes() {
        SeccompFilter f = SeccompFilter.compile(spec("SCMP_ACT_ERRNO", 1, null,
                call("SCMP_ACT_ERRNO", null, null, "add_key"), call("SCMP_ACT_ERRNO", 1, null, "keyctl"),
                call("SCMP_ACT_ERRNO", 13, null, "mkdir")), false);
        assertEquals(1, f.rules().size());
        assertEquals(List.of("mkdir"), f.rules().get(0).names());
    }

    @Test
    void comparisonsOnOneArgumentBecomeOneRuleEachOtherwiseOneRuleForAll() {
        List<Linux.Arg> twoOnArg0 = List.of(new Linux.Arg(0, 1, 0, "SCMP_CMP_EQ"), new Linux.Arg(0, 2, 0, "SCMP_CMP_EQ"));
        List<Linux.Arg> twoArgs = List.of(new Linux.Arg(0, 1, 0, "SCMP_CMP_EQ"),
                new Linux.Arg(1, 0x7e020000L, 0, "SCMP_CMP_MASKED_EQ"));
        SeccompFilter f = SeccompFilter.compile(spec("SCMP_ACT_ERRNO", null, null,
                call("SCMP_ACT_ALLOW", null, twoOnArg0, "personality"),
                call("SCMP_ACT_ALLOW", null, twoArgs, "clone")), false);
        assertEquals(List.of(
                new SeccompFilter.Rule(0x7fff0000L, List.of(new SeccompFilter.Cond(0, 4, 1, 0)), List.of("personality")),
                new SeccompFilter.Rule(0x7fff0000L, List.of(new SeccompFilter.Cond(0, 4, 2, 0)), List.of("personality")),
                new SeccompFilter.Rule(0x7fff0000L, List.of(new SeccompFilter.Cond(0, 4, 1, 0),
                        new SeccompFilter.Cond(1, 7, 0x7e020000L, 0)), List.of("clone"))), f.rules());
        List<String> ops = List.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
        for (int i = 0; i < ops.size(); i++) {
            assertEquals(i + 1, SeccompFilter.op(ops.get(i)));
        }
    }

    @Test
    void flagsAsRuncWithSpecAllowAskedForWhenTheSpecHasNone() {
        assertEquals(SeccompFilter.FLAG_SPEC_ALLOW_IF_SUPPORTED,
                SeccompFilter.compile(spec("SCMP_ACT_ALLOW", null, null), false).flags());
        assertEquals(0, SeccompFilter.compile(spec("SCMP_ACT_ALLOW", null, List.of()), false).flags());
        assertEquals(SeccompFilter.FLAG_LOG | SeccompFilter.FLAG_SPEC_ALLOW, SeccompFilter.compile(spec(
                "SCMP_ACT_ALLOW", null, List.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW")), false).flags());
    }

    @Test
    void whatTheStageCannotLoadIsRefusedWithOneLine() {
        List<Linux.Seccomp> bad = List.of(
                spec("SCMP_ACT_BOGUS", null, null),
                spec(null, null, null),
                spec("SCMP_ACT_NOTIFY", null, null),
                spec("SCMP_ACT_ERRNO", null, List.of("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")),
                spec("SCMP_ACT_ERRNO", null, null, call("SCMP_ACT_ALLOW", null,
                        List.of(new Linux.Arg(6, 0, 0, "SCMP_CMP_EQ")), "read")),
                spec("SCMP_ACT_ERRNO", null, null, call("SCMP_ACT_ALLOW", null,
                        List.of(new Linux.Arg(0, 0, 0, "SCMP_CMP_NOPE")), "read")),
                spec("SCMP_ACT_ERRNO", null, null, call("SCMP_ACT_ALLOW", null, null, "")),
                new Linux.Seccomp("SCMP_ACT_ERRNO", null, List.of("X86_64"), null, List.of()));
        for (Linux.Seccomp s : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SeccompFilter.compile(s, false), s.toString());
            assertTrue(e.getMessage().startsWith("seccomp") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void dockersDefaultProfileCompilesToItsAllowListWithEpermForTheRest() {
        SeccompFilter f = SeccompFilter.compile(SeccompProfile.dockerDefault(DefaultSpec.DOCKER_CAPABILITIES), true);
        assertTrue(f.atExec());
        assertEquals(0x50001L, f.defaultAction());
        assertTrue(f.rules().get(0).names().containsAll(List.of("read", "execve", "capset", "setresuid", "prctl",
                "close_range", "setgroups", "rt_sigaction", "getcwd")), "what the stage does after loading it");
        assertTrue(f.rules().stream().noneMatch(r -> r.names().contains("add_key") || r.names().contains("keyctl")
                || r.names().contains("unshare") || r.names().contains("perf_event_open")));
        assertTrue(f.rules().contains(new SeccompFilter.Rule(0x50026L, List.of(), List.of("clone3"))));
    }
}
