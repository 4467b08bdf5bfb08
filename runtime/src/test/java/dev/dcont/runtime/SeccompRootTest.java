package dev.dcont.runtime;

import dev.dcont.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SeccompProfile;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.ContainerRootTest;
import dev.dcont.testkit.Probe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seccomp filter for real: the probe inside busybox bundles, as root. */
class SeccompRootTest extends ContainerRootTest {
    SeccompRootTest() {
        super("seccomp root test", "sc-");
    }

    private static final List<String> CHECKS = List.of("/bin/probe", "add_key", "keyctl", "perf_event_open",
            "unshare_user", "clone3");

    @BeforeEach
    void setUp() throws Exception {
        Files.copy(Probe.path(), bundle.rootfs.resolve("bin/probe"), StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static Spec dockerDefault(String... args) {
        Spec s = BusyboxBundle.defaultSpec(args);
        return s.withLinux(s.linux().withSeccomp(SeccompProfile.dockerDefault(DefaultSpec.DOCKER_CAPABILITIES)));
    }

    private String run(Spec spec) throws Exception {
        bundle.write(spec);
        Path out = tmp.resolve("out-" + UUID.randomUUID()), err = tmp.resolve("err-" + UUID.randomUUID());
        int code = rt.run(bundle.dir, id, Stdio.files(null, out, err));
        assertEquals(0, code, Files.readString(err));
        return Files.readString(out);
    }

    private static final String REFUSED_AS_DOCKER = "add_key: refused (EPERM)\nkeyctl: refused (EPERM)\n"
            + "perf_event_open: refused (EPERM)\nunshare_user: refused (EPERM)\nclone3: refused (ENOSYS)\n";

    @Test
    void dockersDefaultProfileRefusesWithEpermAndClone3WithEnosys() throws Exception {
        assertEquals(REFUSED_AS_DOCKER, run(dockerDefault(CHECKS.toArray(String[]::new))));
    }

    /**
     * A number above every call the profile names is "newer than the profile": ENOSYS, as runc answers, so that the
     * C library falls back to an older call; one below that the profile leaves out keeps Docker's EPERM. 1000 is
     * beyond the kernel's table too, so without a filter the kernel itself gives ENOSYS.
     */
    @Test
    void aCallNewerThanTheProfileGetsEnosysAndAnOlderOneLeftOutEperm() throws Exception {
        assertEquals("syscall_1000: refused (ENOSYS)\nadd_key: refused (EPERM)\n",
                run(dockerDefault("/bin/probe", "syscall", "1000", "add_key")));
        assertEquals("syscall_1000: refused (ENOSYS)\n", run(BusyboxBundle.defaultSpec("/bin/probe", "syscall", "1000")));
    }

    @Test
    void aProfileThatAllowsByDefaultGetsNoStub() throws Exception {
        Linux.Seccomp denyMkdir = SeccompProfile.parse(("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
                + "\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}")
                .getBytes(StandardCharsets.UTF_8), DefaultSpec.DOCKER_CAPABILITIES);
        Spec s = BusyboxBundle.defaultSpec("/bin/probe", "mkdir", "/tmp/d", "syscall", "1000", "add_key");
        assertEquals("mkdir: refused (EACCES)\nsyscall_1000: refused (ENOSYS)\nadd_key: allowed\n",
                run(s.withLinux(s.linux().withSeccomp(denyMkdir))));
    }

    /** Kept programs are a cache: the 32 used last stay, the older ones go when a new one is kept. */
    @Test
    void keptProgramsAreTrimmedToTheOnesUsedLast() throws Exception {
        Path kept = tmp.resolve("state/.seccomp");
        Files.createDirectories(kept);
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
        for (int i = 0; i < 40; i++) {
            Path p = Files.writeString(kept.resolve(String.format("%016x", i)), "not a program");
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(old.toMillis() + i * 1000L));
        }
        assertEquals(REFUSED_AS_DOCKER, run(dockerDefault(CHECKS.toArray(String[]::new))));
        java.util.Set<String> left;
        try (var files = Files.list(kept)) {
            left = files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
        assertEquals(32, left.size(), left.toString());
        for (int i = 0; i < 9; i++) {
            assertFalse(left.contains(String.format("%016x", i)), "oldest kept program " + i + " stayed: " + left);
        }
        for (int i = 9; i < 40; i++) {
            assertTrue(left.contains(String.format("%016x", i)), "program " + i + " went: " + left);
        }
        // the new program is among them, and a second container uses it
        assertEquals(REFUSED_AS_DOCKER, run(dockerDefault(CHECKS.toArray(String[]::new))));
        try (var files = Files.list(kept)) {
            assertEquals(32, files.count());
        }
    }

    @Test
    void withoutAFilterTheSameCallsReachTheKernel() throws Exception {
        String out = run(BusyboxBundle.defaultSpec(CHECKS.toArray(String[]::new)));
        assertTrue(out.contains("add_key: allowed\n") && out.contains("keyctl: allowed\n"), out);
        assertTrue(out.contains("clone3: refused (EINVAL)\n"), out);
        assertFalse(out.contains("(EPERM)"), out);
    }

    @Test
    void withNoNewPrivilegesTheFilterIsLoadedRightBeforeExecve() throws Exception {
        Spec s = dockerDefault("sh", "-c", "grep NoNewPrivs /proc/self/status; exec /bin/probe add_key clone3");
        String out = run(s.withProcess(s.process().withNoNewPrivileges(true)));
        assertEquals("NoNewPrivs:\t1\nadd_key: refused (EPERM)\nclone3: refused (ENOSYS)\n", out);
    }

    @Test
    void aProfileOfOneRuleGivesItsErrno() throws Exception {
        Linux.Seccomp denyMkdir = SeccompProfile.parse(("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
                + "\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}")
                .getBytes(StandardCharsets.UTF_8), DefaultSpec.DOCKER_CAPABILITIES);
        Spec s = BusyboxBundle.defaultSpec("/bin/probe", "mkdir", "/tmp/d", "add_key");
        assertEquals("mkdir: refused (EACCES)\nadd_key: allowed\n", run(s.withLinux(s.linux().withSeccomp(denyMkdir))));
    }

    @Test
    void aProcessExecutedInTheContainerRunsUnderItsFilter() throws Exception {
        bundle.write(dockerDefault("sleep", "60")); // keeps the container running for the exec
        rt.start(bundle.dir, id, tmp.resolve("ctr.log"));
        Path out = tmp.resolve("exec-out");
        ProcessSpec p = rt.processOf(id).withArgs(CHECKS);
        assertEquals(0, rt.exec(id, p, Stdio.files(null, out, tmp.resolve("exec-err"))),
                Files.readString(tmp.resolve("exec-err")));
        assertEquals(REFUSED_AS_DOCKER, Files.readString(out));
        rt.kill(id, 9);
        Poll.until("the killed container to stop", java.time.Duration.ofSeconds(10),
                () -> rt.state(id).status().equals(ContainerState.STOPPED));
        rt.delete(id, true);
    }

    @Test
    void theBuiltProgramIsKeptForTheNextContainerAndABadCopyIsNotTrusted() throws Exception {
        Path cache = tmp.resolve("state/.seccomp");
        run(dockerDefault("true"));
        List<Path> kept;
        try (Stream<Path> s = Files.list(cache)) {
            kept = s.toList();
        }
        assertEquals(1, kept.size(), kept.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.get(0))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
        // from the cache
        assertEquals(REFUSED_AS_DOCKER, run(dockerDefault(CHECKS.toArray(String[]::new))));
        // a copy others may write, or a truncated one, is built again
        Files.setPosixFilePermissions(kept.get(0), PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals(REFUSED_AS_DOCKER, run(dockerDefault(CHECKS.toArray(String[]::new))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(kept.get(0))));
        byte[] whole = Files.readAllBytes(kept.get(0));
        Files.write(kept.get(0), java.util.Arrays.copyOf(whole, whole.length - 8));
        assertEquals(REFUSED_AS_DOCKER, run(dockerDefault(CHECKS.toArray(String[]::new))));
        assertEquals(whole.length, Files.size(kept.get(0)));
    }
}
