package dev.dcont.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LaunchPlannerTest {
    @TempDir Path tmp;

    private static final LaunchPlanner.MonitorSettings MONITOR = new LaunchPlanner.MonitorSettings("/run/x",
            List.of("/cg/memory/x/cgroup.procs"), List.of("/cg/memory/x"), null);

    private Path rootfs() throws IOException {
        Path r = tmp.resolve("rootfs");
        Files.createDirectories(r.resolve("bin"));
        return r;
    }

    private RecordingSyscalls plan(Spec spec) throws IOException {
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(spec, rootfs(), MONITOR, rec.sys);
        return rec;
    }

    @Test
    void dockerDefaultMountsComeInSpecOrderWithTheirFlagsBeforePivotRoot() throws IOException {
        RecordingSyscalls rec = plan(DefaultSpec.docker(List.of("sh"), false));
        String r = tmp.resolve("rootfs").toString();
        List<String> mounts = rec.named("mount");
        assertEquals(List.of(
                "mount  /  0x44000 ",                                   // rprivate
                "mount " + r + " " + r + "  0x5000 ",                  // rbind rootfs onto itself
                "mount proc " + r + "/proc proc 0xe ",                  // nosuid nodev noexec
                "mount tmpfs " + r + "/dev tmpfs 0x1000002 mode=755,size=65536k",
                "mount devpts " + r + "/dev/pts devpts 0xa newinstance,ptmxmode=0666,mode=0620,gid=5",
                "mount sysfs " + r + "/sys sysfs 0xf ",                 // ro too
                "mount cgroup " + r + "/sys/fs/cgroup cgroup2 0xf ",
                "mount mqueue " + r + "/dev/mqueue mqueue 0xe ",
                "mount shm " + r + "/dev/shm tmpfs 0xe mode=1777,size=65536k"), mounts);
        int pivot = rec.indexOf("pivotRoot . .");
        assertTrue(pivot > rec.indexOf("mount shm"));
        assertEquals("chdir " + r, rec.calls.get(pivot - 1));
        assertEquals("umount . 2", rec.calls.get(pivot + 1));   // MNT_DETACH the old root
        assertEquals("chdir /", rec.calls.get(pivot + 2));
    }

    @Test
    void devicesAndDevSymlinksAreCreatedInTheTmpfsDev() throws IOException {
        RecordingSyscalls rec = plan(DefaultSpec.docker(List.of("sh"), false));
        String r = tmp.resolve("rootfs").toString();
        assertEquals(List.of(
                "mknod " + r + "/dev/null c 1 3 438 0x0 0x0", "mknod " + r + "/dev/zero c 1 5 438 0x0 0x0",
                "mknod " + r + "/dev/full c 1 7 438 0x0 0x0", "mknod " + r + "/dev/random c 1 8 438 0x0 0x0",
                "mknod " + r + "/dev/urandom c 1 9 438 0x0 0x0", "mknod " + r + "/dev/tty c 5 0 438 0x0 0x0"),
                rec.named("mknod"));
        assertTrue(rec.calls.contains("symlink pts/ptmx " + r + "/dev/ptmx"));
        assertTrue(rec.calls.contains("symlink /proc/self/fd " + r + "/dev/fd"));
        assertTrue(rec.indexOf("mknod") > rec.indexOf("mount tmpfs " + r + "/dev "));
        assertTrue(rec.indexOf("mknod") < rec.indexOf("pivotRoot"));
    }

    @Test
    void maskedAndReadonlyPathsAreAppliedAfterPivotRootInsideTheContainer() throws IOException {
        RecordingSyscalls rec = plan(DefaultSpec.docker(List.of("sh"), false));
        int pivot = rec.indexOf("pivotRoot");
        List<String> masked = rec.named("maskPath");
        assertTrue(masked.contains("maskPath /proc/kcore"));
        assertTrue(masked.contains("maskPath /proc/keys"));
        assertTrue(masked.contains("maskPath /proc/timer_list"));
        assertTrue(masked.contains("maskPath /sys/firmware"));
        assertEquals(List.of("readonlyPath /proc/bus", "readonlyPath /proc/fs", "readonlyPath /proc/irq",
                "readonlyPath /proc/sys", "readonlyPath /proc/sysrq-trigger"), rec.named("readonlyPath"));
        assertTrue(rec.indexOf("maskPath") > pivot);
        assertTrue(rec.indexOf("readonlyPath") > pivot);
    }

    @Test
    void bindMountGetsItsFlagsByARemountAndFilesGetAFileMountPoint() throws IOException {
        Path srcDir = Files.createDirectories(tmp.resolve("data"));
        Path srcFile = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 x\n");
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        List<Spec.Mount> mounts = new ArrayList<>(base.mounts());
        mounts.add(new Spec.Mount("/data", "bind", srcDir.toString(), List.of("rbind", "ro", "nosuid", "nodev", "noexec")));
        mounts.add(new Spec.Mount("/etc/hosts", "none", srcFile.toString(), List.of("bind", "rw")));
        RecordingSyscalls rec = plan(base.withMounts(mounts));
        String r = tmp.resolve("rootfs").toString();
        int bind = rec.calls.indexOf("mount " + srcDir + " " + r + "/data  0x5000 ");
        assertTrue(bind > 0, rec.calls.toString());
        assertEquals("mkdirAll " + r + "/data 493", rec.calls.get(bind - 1));
        assertEquals("mount  " + r + "/data  0x102f ", rec.calls.get(bind + 1)); // bind|remount|ro|nosuid|nodev|noexec
        int file = rec.calls.indexOf("mount " + srcFile + " " + r + "/etc/hosts  0x1000 ");
        assertEquals("touch " + r + "/etc/hosts 420", rec.calls.get(file - 1));
        assertEquals("mkdirAll " + r + "/etc 493", rec.calls.get(file - 2));
        assertFalse(rec.calls.get(file + 1).startsWith("mount  " + r + "/etc/hosts"), "rw needs no remount");
    }

    @Test
    void mountDestinationsCannotEscapeTheRootfsThroughSymlinks() throws IOException {
        Path r = rootfs();
        Files.createSymbolicLink(r.resolve("evil"), Path.of("/../../../etc"));
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        List<Spec.Mount> mounts = new ArrayList<>(base.mounts());
        mounts.add(new Spec.Mount("/evil/x", "tmpfs", "tmpfs", List.of()));
        RecordingSyscalls rec = plan(base.withMounts(mounts));
        assertTrue(rec.calls.contains("mount tmpfs " + r + "/etc/x tmpfs 0x0 "), rec.calls.toString());
    }

    @Test
    void cgroupV1HostGetsATmpfsWithOneMountPerHierarchyThenReadOnly() throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("memory", "memory");
        h.put("systemd", "name=systemd");
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(new CgroupMountLayout(false, h)).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR, rec.sys);
        String cg = tmp.resolve("rootfs") + "/sys/fs/cgroup";
        int t = rec.calls.indexOf("mount tmpfs " + cg + " tmpfs 0xe mode=755");
        assertTrue(t > 0, rec.calls.toString());
        assertEquals("mount cgroup " + cg + "/memory cgroup 0xf memory", rec.calls.get(t + 2));
        assertEquals("mount cgroup " + cg + "/systemd cgroup 0xf name=systemd", rec.calls.get(t + 4));
        assertEquals("mount tmpfs " + cg + "  0x2f mode=755", rec.calls.get(t + 5));
    }

    @Test
    void processStepsDropBoundingBeforeSwitchingUserAndExecLast() throws IOException {
        Spec base = DefaultSpec.docker(List.of("id", "-u"), false);
        ProcessSpec p = base.process().withUser(new ProcessSpec.User(1000, 1001, 077, List.of(10L, 20L)))
                .withNoNewPrivileges(true).withCwd("/tmp").withEnv(List.of("PATH=/bin:/usr/bin", "A=b"));
        RecordingSyscalls rec = plan(base.withProcess(p).withHostname("box"));
        List<String> tail = rec.calls.subList(rec.indexOf("sethostname"), rec.calls.size());
        assertEquals(List.of(
                "sethostname box",
                "chdir /tmp",
                "setrlimit 7 0x100000 0x100000",
                "capBounding 0xa80425fb",
                "keepCaps true",
                "setgroups [10, 20]",
                "setgid 0x3e9",
                "setuid 0x3e8",
                "keepCaps false",
                "capSet 0xa80425fb 0xa80425fb 0x0",
                "capAmbient 0x0",
                "noNewPrivs",
                "umask 63",
                "searchPath /bin:/usr/bin",
                "exec id [id, -u] [PATH=/bin:/usr/bin, A=b]"), tail);
    }

    @Test
    void monitorStepsComeFirstAndNamespacesBecomeCloneFlags() throws IOException {
        RecordingSyscalls rec = plan(DefaultSpec.docker(List.of("sh"), false));
        assertEquals(List.of("namespaces 0x6e020000", "stateDir /run/x", "cgroupJoin /cg/memory/x/cgroup.procs",
                "cgroupRemove /cg/memory/x"), rec.calls.subList(0, 4));
        assertTrue(rec.calls.contains("loopbackUp"));
    }

    @Test
    void hostNetworkHasNoNetNamespaceNoLoopbackAndBindsHostSys() throws IOException {
        RecordingSyscalls rec = plan(DefaultSpec.docker(List.of("sh"), true));
        assertEquals("namespaces 0x2e020000", rec.calls.get(0));
        assertFalse(rec.calls.contains("loopbackUp"));
        String r = tmp.resolve("rootfs").toString();
        assertTrue(rec.calls.contains("mount /sys " + r + "/sys  0x5000 "), rec.calls.toString());
    }

    @Test
    void terminalOpensThePtyInsideTheContainerAfterPivotRoot() throws IOException {
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        RecordingSyscalls rec = plan(base.withProcess(base.process().withTerminal(true)));
        assertTrue(rec.calls.contains("terminal"));
        assertTrue(rec.indexOf("openPty") > rec.indexOf("pivotRoot"));
        assertTrue(rec.indexOf("openPty") < rec.indexOf("exec"));
    }

    @Test
    void readonlyRootfsRemountsTheNewRootReadOnlyAfterMasking() throws IOException {
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        RecordingSyscalls rec = plan(base.withRoot(new Spec.Root("rootfs", true)));
        int ro = rec.calls.indexOf("mount  /  0x1021 ");
        assertTrue(ro > rec.indexOf("readonlyPath /proc/sysrq-trigger"), rec.calls.toString());
    }

    @Test
    void invalidSpecsAreRefusedBeforeAnythingRuns() {
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        assertThrows(IllegalArgumentException.class, () -> plan(base.withProcess(base.process().withCwd("tmp"))));
        assertThrows(IllegalArgumentException.class, () -> plan(base.withProcess(base.process().withArgs(List.of()))));
        List<Linux.Namespace> withUser = new ArrayList<>(base.linux().namespaces());
        withUser.add(Linux.Namespace.of("user"));
        assertThrows(IllegalArgumentException.class, () -> plan(base.withLinux(base.linux().withNamespaces(withUser))));
        List<Linux.Namespace> noUts = base.linux().namespaces().stream().filter(n -> !n.type().equals("uts")).toList();
        assertThrows(IllegalArgumentException.class,
                () -> plan(base.withLinux(base.linux().withNamespaces(noUts)).withHostname("h")));
        assertThrows(IllegalArgumentException.class, () -> plan(base.withProcess(base.process().withCapabilities(
                ProcessSpec.Capabilities.of(List.of("CAP_NOPE"))))));
    }

    @Test
    void execJoinsTheContainersNamespacesWithMountLastAndItsCgroup() {
        RecordingSyscalls rec = new RecordingSyscalls();
        ProcessSpec p = DefaultSpec.docker(List.of("ps"), false).process();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planExec(42,
                List.of("pid", "mount", "network", "ipc", "uts", "cgroup"), p, MONITOR, rec.sys);
        assertEquals(List.of("namespaces 0x0", "setnsPid /proc/42/ns/pid", "stateDir /run/x",
                "cgroupJoin /cg/memory/x/cgroup.procs", "cgroupRemove /cg/memory/x",
                "setns /proc/42/ns/ipc 0x8000000", "setns /proc/42/ns/uts 0x4000000",
                "setns /proc/42/ns/net 0x40000000", "setns /proc/42/ns/cgroup 0x2000000",
                "setns /proc/42/ns/mnt 0x20000", "chdir /"), rec.calls.subList(0, 11));
        assertEquals("exec ps [ps] [" + DefaultSpec.DEFAULT_PATH + "]", rec.calls.get(rec.calls.size() - 1));
    }

    @Test
    void aDetachedContainerMayHaveATerminal() throws IOException {
        // docker run -dt: the pty is opened inside the container as for a foreground one; the monitor logs it
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        LaunchPlanner.MonitorSettings detached = new LaunchPlanner.MonitorSettings("/run/x", List.of(), List.of(),
                "/run/x.log");
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost())
                .planRun(base.withProcess(base.process().withTerminal(true)), rootfs(), detached, rec.sys);
        assertTrue(rec.calls.contains("terminal"), rec.calls.toString());
        assertTrue(rec.calls.stream().anyMatch(c -> c.startsWith("detach")), rec.calls.toString());
    }

    @Test
    void aDetachedMonitorStartsTheExitCommandAfterTheCgroupsAreListed() throws Exception {
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        LaunchPlanner.MonitorSettings detached = new LaunchPlanner.MonitorSettings("/run/x", List.of("/cg/procs"),
                List.of("/cg"), "/run/x.log", List.of("/usr/bin/java", "-cp", "x", "Main", "rm", "-f", "id"));
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(base, rootfs(), detached, rec.sys);
        assertEquals(List.of("onExit [/usr/bin/java, -cp, x, Main, rm, -f, id]"), rec.named("onExit"));
        assertTrue(rec.indexOf("cgroupRemove") < rec.indexOf("onExit"));

        LaunchPlanner.MonitorSettings foreground = new LaunchPlanner.MonitorSettings("/run/x", List.of(), List.of(),
                null, List.of("/bin/true"));
        assertThrows(IllegalArgumentException.class, () -> new LaunchPlanner(CgroupMountLayout.unifiedHost())
                .planRun(base, rootfs(), foreground, new RecordingSyscalls().sys));
    }

    @Test
    void theExitCommandIsWrittenWithItsArgumentCount() {
        PlanWriter w = new PlanWriter();
        w.onExit(List.of("/bin/sh", "-c", "echo done"));
        String plan = new String(w.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(plan.contains("ON_EXIT\u00003\u0000/bin/sh\u0000-c\u0000echo done"), plan.replace('\0', '|'));
        assertThrows(IllegalArgumentException.class, () -> new PlanWriter().onExit(List.of("relative")));
    }

    @Test
    void theMonitorRelaysTheCallersStdinOnlyWhenAskedForRunAndExec() throws IOException {
        Spec base = DefaultSpec.docker(List.of("cat"), false);
        LaunchPlanner planner = new LaunchPlanner(CgroupMountLayout.unifiedHost());
        LaunchPlanner.MonitorSettings input = new LaunchPlanner.MonitorSettings("/run/x", List.of(), List.of(), null,
                List.of(), true);

        RecordingSyscalls without = new RecordingSyscalls();
        planner.planRun(base, rootfs(), MONITOR, without.sys);
        assertEquals(List.of(), without.named("stdinOpen"));

        RecordingSyscalls run = new RecordingSyscalls();
        planner.planRun(base, rootfs(), input, run.sys);
        assertEquals(List.of("stdinOpen"), run.named("stdinOpen"));
        assertTrue(run.indexOf("stdinOpen") < run.indexOf("exec "), "a monitor step, before the child's");

        RecordingSyscalls exec = new RecordingSyscalls();
        planner.planExec(42, List.of("pid", "mount"), base.process(), input, exec.sys);
        assertEquals(List.of("stdinOpen"), exec.named("stdinOpen"));

        // a detached container has no caller whose stdin could be relayed
        LaunchPlanner.MonitorSettings detached = new LaunchPlanner.MonitorSettings("/run/x", List.of(), List.of(),
                "/run/x.log", List.of(), true);
        assertThrows(IllegalArgumentException.class,
                () -> planner.planRun(base, rootfs(), detached, new RecordingSyscalls().sys));
    }
}
