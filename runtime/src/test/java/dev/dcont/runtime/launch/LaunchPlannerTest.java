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

/**
 * The order, flags and arguments of the steps LaunchPlanner plans, through the recording fake. Longer than 400
 * lines because a launch is one sequence: most tests check a step's place relative to others (the mounts before
 * pivot_root, the keyring before any mount, the filter before the bounding set), which tests split by kind of step
 * would each have to set up again.
 */
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
        assertEquals(List.of(
                "mount  /  0x44000 ",                                   // rprivate
                "mount " + r + " " + r + "  0x5000 "),                 // rbind rootfs onto itself
                rec.named("mount"));
        assertEquals(List.of(                                           // then relative to the opened root
                "mountInRoot proc proc proc 0xe ",                      // nosuid nodev noexec
                "mountInRoot tmpfs dev tmpfs 0x1000002 mode=755,size=65536k",
                "mountInRoot devpts dev/pts devpts 0xa newinstance,ptmxmode=0666,mode=0620,gid=5",
                "mountInRoot sysfs sys sysfs 0xf ",                     // ro too
                "mountInRoot cgroup sys/fs/cgroup cgroup2 0xf ",
                "mountInRoot mqueue dev/mqueue mqueue 0xe ",
                "mountInRoot shm dev/shm tmpfs 0xe mode=1777,size=65536k"), rec.named("mountInRoot"));
        assertEquals("openRoot " + r, rec.calls.get(rec.indexOf("mount " + r) + 1));
        assertEquals("mkdirAll proc 493", rec.calls.get(rec.indexOf("openRoot") + 1));
        int pivot = rec.indexOf("pivotRoot . .");
        assertTrue(pivot > rec.indexOf("mountInRoot shm"));
        assertEquals("chdir " + r, rec.calls.get(pivot - 1));
        assertEquals("umount . 2", rec.calls.get(pivot + 1));   // MNT_DETACH the old root
        assertEquals("chdir /", rec.calls.get(pivot + 2));
    }

    /** linux.devices: each node at its path, directories made on the way, the default ones not twice. */
    @Test
    void theSpecsDevicesAreMadeAfterTheDefaultOnes() throws IOException {
        Spec d = DefaultSpec.docker(List.of("sh"), false);
        Spec s = d.withLinux(d.linux().withDevices(List.of(
                new Linux.Device("/dev/null", "c", 1, 3, 0666, 0L, 0L),
                new Linux.Device("/dev/kmsg", "c", 1, 11, 0644, null, null),
                new Linux.Device("/dev/net/tun", "c", 10, 200, null, 0L, 5L),
                new Linux.Device("/dev/loop0", "b", 7, 0, 0660, 0L, 6L))));
        RecordingSyscalls rec = plan(s);
        List<String> nodes = rec.named("mknod");
        assertEquals(List.of("mknod dev/kmsg c 1 11 420 0x0 0x0", "mknod dev/net/tun c 10 200 438 0x0 0x5",
                "mknod dev/loop0 b 7 0 432 0x0 0x6"), nodes.subList(6, nodes.size()));
        assertTrue(rec.indexOf("mkdirAll dev/net 493") < rec.indexOf("mknod dev/net/tun"));
        assertTrue(rec.indexOf("mknod dev/kmsg") > rec.indexOf("mknod dev/tty"));
    }

    @Test
    void aDeviceOutsideDevOrOfAnUnknownTypeIsRefused() {
        Spec d = DefaultSpec.docker(List.of("sh"), false);
        for (Linux.Device bad : List.of(new Linux.Device("/etc/passwd", "c", 1, 3, null, null, null),
                new Linux.Device("/dev/../etc/x", "c", 1, 3, null, null, null),
                new Linux.Device("/dev/fifo", "p", 0, 0, null, null, null))) {
            assertThrows(IllegalArgumentException.class,
                    () -> plan(d.withLinux(d.linux().withDevices(List.of(bad)))), bad.toString());
        }
    }

    @Test
    void devicesAndDevSymlinksAreCreatedInTheTmpfsDevAfterEveryMount() throws IOException {
        RecordingSyscalls rec = plan(DefaultSpec.docker(List.of("sh"), false));
        assertEquals(List.of(
                "mknod dev/null c 1 3 438 0x0 0x0", "mknod dev/zero c 1 5 438 0x0 0x0",
                "mknod dev/full c 1 7 438 0x0 0x0", "mknod dev/random c 1 8 438 0x0 0x0",
                "mknod dev/urandom c 1 9 438 0x0 0x0", "mknod dev/tty c 5 0 438 0x0 0x0"),
                rec.named("mknod"));
        assertEquals(List.of("symlink /proc/self/fd dev/fd", "symlink /proc/self/fd/0 dev/stdin",
                "symlink /proc/self/fd/1 dev/stdout", "symlink /proc/self/fd/2 dev/stderr",
                "symlink /proc/kcore dev/core", "symlink pts/ptmx dev/ptmx"), rec.named("symlink"));
        assertTrue(rec.indexOf("mknod") > rec.indexOf("mountInRoot shm dev/shm"));
        assertTrue(rec.indexOf("symlink") > rec.indexOf("mknod dev/tty"));
        assertTrue(rec.indexOf("symlink pts/ptmx") < rec.indexOf("pivotRoot"));
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
        int bind = rec.calls.indexOf("mountInRoot " + srcDir + " data  0x5000 ");
        assertTrue(bind > 0, rec.calls.toString());
        assertEquals("mkdirAll data 493", rec.calls.get(bind - 1));
        // bind|remount|ro|nosuid|nodev|noexec, on the target resolved again (the bind just made)
        assertEquals("mountInRoot  data  0x102f ", rec.calls.get(bind + 1));
        int file = rec.calls.indexOf("mountInRoot " + srcFile + " etc/hosts  0x1000 ");
        assertEquals("touch etc/hosts 420", rec.calls.get(file - 1));  // makes /etc too when it is missing
        assertFalse(rec.calls.get(file + 1).startsWith("mountInRoot  etc/hosts"), "rw needs no remount");
    }

    @Test
    void mountTargetsArePlannedAsWrittenRelativeToTheRootForTheStageToResolveThere() throws IOException {
        // the planner does not look at the rootfs: what a symlink leads to may change with the mounts before
        Path r = rootfs();
        Files.createSymbolicLink(r.resolve("evil"), Path.of("/../../../etc"));
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        List<Spec.Mount> mounts = new ArrayList<>(base.mounts());
        mounts.add(new Spec.Mount("/evil/x", "tmpfs", "tmpfs", List.of()));
        mounts.add(new Spec.Mount("//a/../b/./c", "tmpfs", "tmpfs", List.of()));
        RecordingSyscalls rec = plan(base.withMounts(mounts));
        int x = rec.calls.indexOf("mountInRoot tmpfs evil/x tmpfs 0x0 ");
        assertTrue(x > rec.indexOf("openRoot"), rec.calls.toString());
        assertEquals("mkdirAll evil/x 493", rec.calls.get(x - 1));
        assertTrue(rec.calls.contains("mountInRoot tmpfs a/../b/./c tmpfs 0x0 "), rec.calls.toString());
        mounts.add(new Spec.Mount("/", "tmpfs", "tmpfs", List.of()));
        assertThrows(IllegalArgumentException.class, () -> plan(base.withMounts(mounts)));
    }

    @Test
    void cgroupV1HostGetsATmpfsWithOneMountPerHierarchyThenReadOnly() throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("memory", "memory");
        h.put("systemd", "name=systemd");
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(new CgroupMountLayout(false, h)).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR, rec.sys);
        String cg = "sys/fs/cgroup";
        int t = rec.calls.indexOf("mountInRoot tmpfs " + cg + " tmpfs 0xe mode=755");
        assertTrue(t > 0, rec.calls.toString());
        assertEquals("mkdirAll " + cg + "/memory 493", rec.calls.get(t + 1));
        assertEquals("mountInRoot cgroup " + cg + "/memory cgroup 0xf memory", rec.calls.get(t + 2));
        assertEquals("mountInRoot cgroup " + cg + "/systemd cgroup 0xf name=systemd", rec.calls.get(t + 4));
        assertEquals("mountInRoot tmpfs " + cg + "  0x2f mode=755", rec.calls.get(t + 5));
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
        assertTrue(rec.calls.contains("mountInRoot /sys sys  0x5000 "), rec.calls.toString());
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
    void theProcessJoinsItsOwnSessionKeyringBeforeAnyMountAndWhileStillRoot() throws IOException {
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR.withSessionKeyring("_ses.c1"), rec.sys);
        assertEquals(List.of("sessionKeyring _ses.c1"), rec.named("sessionKeyring"));
        int keyring = rec.indexOf("sessionKeyring");
        assertTrue(keyring > rec.indexOf("cgroupRemove") && keyring < rec.indexOf("mount"), rec.calls.toString());
        assertTrue(keyring < rec.indexOf("setuid"), rec.calls.toString());

        RecordingSyscalls exec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planExec(42, List.of("pid", "mount"),
                DefaultSpec.docker(List.of("ps"), false).process(), MONITOR.withSessionKeyring("_ses.c1"), exec.sys);
        assertEquals(exec.indexOf("setns /proc/42/ns/mnt") + 1, exec.indexOf("sessionKeyring _ses.c1"));
        assertTrue(exec.indexOf("sessionKeyring") < exec.indexOf("setuid"));

        // without one the caller's keyring stays (a plan made by hand, e.g. in a test)
        assertEquals(List.of(), plan(DefaultSpec.docker(List.of("sh"), false)).named("sessionKeyring"));
    }

    @Test
    void theMonitorAttachesTheDeviceFilterBeforeTheChildRunsAnything() throws IOException {
        LaunchPlanner.DeviceFilter f = new LaunchPlanner.DeviceFilter("/cg/x", false,
                List.of("allow c *:* m", "allow c 1:3 rwm"));
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR.withDeviceFilter(f), rec.sys);
        assertEquals(List.of("deviceFilter /cg/x false [allow c *:* m, allow c 1:3 rwm]"), rec.named("deviceFilter"));
        assertTrue(rec.indexOf("deviceFilter") < rec.indexOf("mount"), rec.calls.toString());
        assertEquals(List.of(), plan(DefaultSpec.docker(List.of("sh"), false)).named("deviceFilter"));
    }

    private static Spec withSeccomp(Spec s) {
        return s.withLinux(s.linux().withSeccomp(new Linux.Seccomp("SCMP_ACT_ERRNO", 1, List.of("SCMP_ARCH_X86_64"),
                null, List.of(new Linux.Syscall(List.of("read", "write"), "SCMP_ACT_ALLOW", null, null)))));
    }

    @Test
    void withoutNoNewPrivsTheFilterIsLoadedBeforeTheBoundingSetIsDropped() throws IOException {
        // runc's place: loading needs CAP_SYS_ADMIN unless no_new_privs is set
        RecordingSyscalls rec = plan(withSeccomp(DefaultSpec.docker(List.of("sh"), false)));
        assertEquals(List.of("seccomp now default=0x50001 rules=1"), rec.named("seccomp"));
        assertEquals(rec.indexOf("capBounding") - 1, rec.indexOf("seccomp"));
        assertTrue(rec.indexOf("seccomp") > rec.indexOf("pivotRoot"));
    }

    @Test
    void withNoNewPrivsTheFilterIsTheLastStepBeforeExec() throws IOException {
        Spec base = withSeccomp(DefaultSpec.docker(List.of("sh"), false));
        RecordingSyscalls rec = plan(base.withProcess(base.process().withNoNewPrivileges(true)));
        assertEquals(List.of("seccomp atExec default=0x50001 rules=1"), rec.named("seccomp"));
        assertEquals(rec.calls.size() - 2, rec.indexOf("seccomp"));
        assertTrue(rec.indexOf("seccomp") > rec.indexOf("noNewPrivs"));
    }

    @Test
    void noSeccompInTheSpecNoFilter() throws IOException {
        assertEquals(List.of(), plan(DefaultSpec.docker(List.of("sh"), false)).named("seccomp"));
    }

    @Test
    void execRunsUnderTheContainersFilter() {
        RecordingSyscalls rec = new RecordingSyscalls();
        ProcessSpec p = DefaultSpec.docker(List.of("ps"), false).process();
        Linux.Seccomp s = withSeccomp(DefaultSpec.docker(List.of("sh"), false)).linux().seccomp();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planExec(42, List.of("pid", "mount"), p, s, MONITOR,
                rec.sys);
        assertEquals(rec.indexOf("capBounding") - 1, rec.indexOf("seccomp now"));
        rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planExec(42, List.of("pid", "mount"),
                p.withNoNewPrivileges(true), s, MONITOR, rec.sys);
        assertEquals(rec.calls.size() - 2, rec.indexOf("seccomp atExec"));
    }

    @Test
    void aFilterTheStageCouldNotLoadIsRefusedWhilePlanning() {
        Spec base = DefaultSpec.docker(List.of("sh"), false);
        Linux.Seccomp bad = new Linux.Seccomp("SCMP_ACT_ERRNO", null, null, null,
                List.of(new Linux.Syscall(List.of("mkdir"), "SCMP_ACT_NOTIFY", null, null)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan(base.withLinux(base.linux().withSeccomp(bad))));
        assertTrue(e.getMessage().contains("SCMP_ACT_NOTIFY"), e.getMessage());
    }

    @Test
    void theMonitorKeepsTheContainersInputOpenOnlyWhenAskedForRunExecAndDetachedRuns() throws IOException {
        Spec base = DefaultSpec.docker(List.of("cat"), false);
        LaunchPlanner planner = new LaunchPlanner(CgroupMountLayout.unifiedHost());
        LaunchPlanner.MonitorSettings input = new LaunchPlanner.MonitorSettings("/run/x", List.of(), List.of(), null,
                List.of()).withStdinOpen(true);

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

        // detached, the input stays open for the attach socket's clients
        LaunchPlanner.MonitorSettings detached = new LaunchPlanner.MonitorSettings("/run/x", List.of(), List.of(),
                "/run/x.log", List.of()).withStdinOpen(true);
        RecordingSyscalls d = new RecordingSyscalls();
        planner.planRun(base, rootfs(), detached, d.sys);
        assertEquals(List.of("stdinOpen"), d.named("stdinOpen"));
    }

    private static LaunchPlanner.Hook hook(String path) {
        return new LaunchPlanner.Hook("{\"pid\": ", "}", 5, path, List.of(), List.of());
    }

    @Test
    void runcsCreateWaitsOnTheFifoAndPlacesEachHookWhereTheSpecSays() throws IOException {
        LaunchPlanner.OciCreate oci = new LaunchPlanner.OciCreate("/run/x/exec.fifo", List.of(hook("/rt")),
                List.of(hook("/cc")), List.of(hook("/sc")));
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR.withOci(oci), rec.sys);
        int fifo = rec.indexOf("execFifo /run/x/exec.fifo");
        int runtimeHook = rec.indexOf("hook RUNTIME_HOOK");
        int sync = rec.indexOf("hooksSync");
        int containerHook = rec.indexOf("hook CONTAINER_HOOK");
        int startHook = rec.indexOf("hook START_HOOK");
        int pivot = rec.indexOf("pivotRoot");
        assertTrue(fifo >= 0 && runtimeHook >= 0 && startHook >= 0, rec.calls.toString());
        // the container waits for the runtime's hooks after its mounts, then runs its own, before pivot_root
        assertTrue(sync > rec.indexOf("mountInRoot shm") && sync < containerHook && containerHook < pivot,
                rec.calls.toString());
        assertEquals(1, rec.named("hooksSync").size());
        assertTrue(rec.indexOf("exec ") > pivot);
    }

    @Test
    void runcsCreateWithoutRuntimeHooksHasNoSyncAndATerminalIsRefused() throws IOException {
        LaunchPlanner.OciCreate oci = new LaunchPlanner.OciCreate("/f", List.of(), List.of(), List.of());
        RecordingSyscalls rec = new RecordingSyscalls();
        LaunchPlanner planner = new LaunchPlanner(CgroupMountLayout.unifiedHost());
        planner.planRun(DefaultSpec.docker(List.of("sh"), false), rootfs(), MONITOR.withOci(oci), rec.sys);
        assertEquals(-1, rec.indexOf("hooksSync"));
        assertEquals(-1, rec.indexOf("execDetached"));
        Spec tty = DefaultSpec.docker(List.of("sh"), false);
        Spec withTty = tty.withProcess(tty.process().withTerminal(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> planner.planRun(withTty,
                rootfs(), MONITOR.withOci(oci), new RecordingSyscalls().sys));
        assertTrue(e.getMessage().contains("--console-socket"), e.getMessage());
    }

    /** runc's --no-pivot: the root is moved onto / and entered with chroot where pivot_root and its unmount were. */
    @Test
    void noPivotMovesTheRootInsteadOfPivotingIntoIt() throws IOException {
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR.withNoPivot(true), rec.sys);
        String r = tmp.resolve("rootfs").toString();
        int move = rec.indexOf("moveRoot " + r);
        assertTrue(move > rec.indexOf("mountInRoot shm"), rec.calls.toString());
        assertEquals("chdir " + r, rec.calls.get(move - 1));
        assertEquals(List.of(), rec.named("pivotRoot"));
        assertEquals(List.of(), rec.named("umount"));
        // what follows the root's change is the same: masked paths resolved from the new root
        assertTrue(rec.indexOf("maskPath") > move, rec.calls.toString());
        assertEquals(List.of(), plan(DefaultSpec.docker(List.of("sh"), false)).named("moveRoot"));
    }

    /** runc's --preserve-fds: a monitor step naming the launcher, for run and exec; none when 0 are asked for. */
    @Test
    void preservedDescriptorsAreAMonitorStepBeforeTheChildsSteps() throws IOException {
        RecordingSyscalls rec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR.withPreservedFds(new LaunchPlanner.PreservedFds(4242, 2)), rec.sys);
        assertEquals(List.of("preserveFds 0x1092 2"), rec.named("preserveFds"));
        assertTrue(rec.indexOf("preserveFds") < rec.indexOf("mount"), rec.calls.toString());

        RecordingSyscalls exec = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planExec(42, List.of("pid", "mount"),
                DefaultSpec.docker(List.of("ps"), false).process(),
                MONITOR.withPreservedFds(new LaunchPlanner.PreservedFds(4242, 1)), exec.sys);
        assertEquals(List.of("preserveFds 0x1092 1"), exec.named("preserveFds"));
        assertTrue(exec.indexOf("preserveFds") < exec.indexOf("setns /proc"), exec.calls.toString());

        RecordingSyscalls none = new RecordingSyscalls();
        new LaunchPlanner(CgroupMountLayout.unifiedHost()).planRun(DefaultSpec.docker(List.of("sh"), false),
                rootfs(), MONITOR.withPreservedFds(new LaunchPlanner.PreservedFds(4242, 0)), none.sys);
        assertEquals(List.of(), none.named("preserveFds"));
        assertThrows(IllegalArgumentException.class, () -> new LaunchPlanner.PreservedFds(1, -1));
    }
}
