package dev.dcont.runtime;

import dev.dcont.testkit.Poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.ContainerRootTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runtime for real: busybox bundles in new namespaces, as root. */
class ContainerRuntimeRootTest extends ContainerRootTest {
    ContainerRuntimeRootTest() {
        super("container runtime root test", "t-");
    }

    record Result(int code, String out, String err) {}

    private Result run(Spec spec) throws Exception {
        bundle.write(spec);
        Path out = tmp.resolve("out-" + UUID.randomUUID()), err = tmp.resolve("err-" + UUID.randomUUID());
        int code = rt.run(bundle.dir, id, Stdio.files(null, out, err));
        return new Result(code, Files.readString(out), Files.readString(err));
    }

    private Result run(String... args) throws Exception {
        return run(BusyboxBundle.defaultSpec(args));
    }

    private static Spec withResources(Spec s, Linux.Resources r) {
        return s.withLinux(s.linux().withResources(r));
    }

    @Test
    void echoRunsAsPid1InNewNamespaces() throws Exception {
        Result r = run("sh", "-c", "echo hi; echo $$; for n in pid mnt net; do readlink /proc/1/ns/$n; done");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("hi", lines.get(0));
        assertEquals("1", lines.get(1));
        for (int i = 2; i < 5; i++) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + List.of("pid", "mnt", "net").get(i - 2)))
                    .toString();
            assertNotEquals(host, lines.get(i), "namespace shared with the host");
        }
    }

    @Test
    void hostnameAndLoopbackInOwnNetworkNamespace() throws Exception {
        Result r = run(BusyboxBundle.defaultSpec("sh", "-c", "hostname; cat /sys/class/net/lo/operstate;"
                + " ls /sys/class/net").withHostname("box-1"));
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("box-1", lines.get(0));
        assertEquals("unknown", lines.get(1)); // lo is up (its operstate is always "unknown")
        assertEquals(List.of("lo"), lines.subList(2, lines.size()));
    }

    @Test
    void procShowsOnlyTheContainersProcesses() throws Exception {
        Result r = run("sh", "-c", "ls -d /proc/[0-9]*");
        assertEquals(0, r.code(), r.err());
        List<String> pids = r.out().lines().map(l -> l.substring("/proc/".length())).toList();
        assertTrue(pids.contains("1"));
        assertTrue(pids.size() <= 3 && pids.stream().allMatch(p -> Integer.parseInt(p) < 10), pids.toString());
    }

    @Test
    void mountsAreAsSpecifiedAndTheHostIsNotVisible() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("f"), "from host\n");
        Spec s = BusyboxBundle.defaultSpec("sh", "-c", "cat /proc/self/mountinfo; cat /data/f;"
                + " touch /data/g && echo WROTE; ls /dev");
        List<Spec.Mount> mounts = new ArrayList<>(s.mounts());
        mounts.add(new Spec.Mount("/data", "bind", data.toString(), List.of("rbind", "ro", "nosuid", "nodev", "noexec")));
        Result r = run(s.withMounts(mounts));
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertMount(out, "/proc", "proc", "nosuid,nodev,noexec");
        assertMount(out, "/dev", "tmpfs", "nosuid");
        assertMount(out, "/dev/pts", "devpts", "nosuid,noexec");
        assertMount(out, "/dev/shm", "tmpfs", "nosuid,nodev,noexec");
        assertMount(out, "/dev/mqueue", "mqueue", "nosuid,nodev,noexec");
        assertMount(out, "/sys", "sysfs", "ro,nosuid,nodev,noexec");
        assertMount(out, "/data", "", "ro,nosuid,nodev,noexec");
        assertTrue(out.contains("from host"));
        assertFalse(out.contains("WROTE"));
        assertTrue(r.err().contains("Read-only file system"), r.err());
        assertFalse(out.contains(tmp.toString() + " "), "host paths visible:\n" + out);
        for (String dev : List.of("null", "zero", "full", "random", "urandom", "tty", "pts", "ptmx", "shm", "mqueue")) {
            assertTrue(out.lines().anyMatch(dev::equals), "/dev/" + dev + " missing");
        }
    }

    private static void assertMount(String mountinfo, String point, String type, String flags) {
        for (String l : mountinfo.lines().toList()) {
            String[] f = l.split(" ");
            if (f.length > 5 && f[4].equals(point)) {
                String fsType = l.substring(l.indexOf(" - ") + 3).split(" ")[0];
                if (!type.isEmpty()) {
                    assertEquals(type, fsType, point);
                }
                for (String flag : flags.split(",")) {
                    assertTrue(List.of(f[5].split(",")).contains(flag), point + " lacks " + flag + ": " + l);
                }
                return;
            }
        }
        throw new AssertionError(point + " is not mounted:\n" + mountinfo);
    }

    @Test
    void maskedAndReadonlyPathsHoldAndReadonlyRootfs() throws Exception {
        Spec s = BusyboxBundle.defaultSpec("sh", "-c",
                "wc -c < /proc/keys; wc -c < /proc/timer_list; ls /sys/firmware | wc -l;"
                        + " echo 3 > /proc/sys/vm/drop_caches && echo SYSCTL-WRITTEN;"
                        + " echo h > /proc/sysrq-trigger && echo SYSRQ-WRITTEN;"
                        + " touch /newfile && echo ROOT-WRITTEN; echo done");
        Result r = run(s.withRoot(new Spec.Root("rootfs", true)));
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("0", "0", "0", "done"), lines, r.err());
        assertTrue(Files.readString(Path.of("/proc/timer_list")).length() > 0, "host has timer_list content");
        assertTrue(r.err().contains("Read-only file system"), r.err());
        assertFalse(Files.exists(bundle.rootfs.resolve("newfile")));
    }

    @Test
    void capabilitiesNoNewPrivsAndStatusAsConfigured() throws Exception {
        Result d = run("grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status");
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("CapBnd:\t00000000a80425fb"), d.out());
        assertTrue(d.out().contains("CapEff:\t00000000a80425fb"), d.out());
        assertTrue(d.out().contains("CapInh:\t0000000000000000"), d.out());
        assertTrue(d.out().contains("NoNewPrivs:\t0"), d.out());

        Spec s = BusyboxBundle.defaultSpec("grep", "-E", "^(Cap|NoNewPrivs)", "/proc/self/status");
        ProcessSpec p = s.process().withNoNewPrivileges(true).withCapabilities(new ProcessSpec.Capabilities(
                List.of("CAP_KILL", "CAP_NET_RAW"), List.of("CAP_KILL"), List.of("CAP_KILL"), List.of("CAP_KILL"),
                List.of("CAP_KILL")));
        Result c = run(s.withProcess(p));
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("CapBnd:\t0000000000002020"), c.out());
        assertTrue(c.out().contains("CapAmb:\t0000000000000020"), c.out());
        assertTrue(c.out().contains("NoNewPrivs:\t1"), c.out());
    }

    @Test
    void userGroupsUmaskRlimitsCwdAndOnlyStdioDescriptors() throws Exception {
        Spec s = BusyboxBundle.defaultSpec("sh", "-c", "id -u; id -g; id -G; umask; ulimit -n; ulimit -Hn;"
                + " readlink /proc/$$/cwd; ls /proc/$$/fd; grep CapEff /proc/self/status");
        ProcessSpec p = s.process().withUser(new ProcessSpec.User(65534, 65534, 077, List.of(5L)))
                .withRlimits(List.of(new ProcessSpec.Rlimit("RLIMIT_NOFILE", 2000, 1000))).withCwd("/tmp");
        Result r = run(s.withProcess(p));
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("65534", "65534", "65534 5", "0077", "1000", "2000", "/tmp", "0", "1", "2",
                "CapEff:\t0000000000000000"), r.out().lines().toList());
    }

    @Test
    void exitCodesArePropagated() throws Exception {
        assertEquals(42, run("sh", "-c", "exit 42").code());
        assertEquals(0, run("true").code());
        assertEquals(1, run("false").code());
    }

    @Test
    void aMissingBinaryIsAStartFailureNamingIt() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("/bin/no-such-binary"));
        ContainerException e = assertThrows(ContainerException.class,
                () -> rt.run(bundle.dir, id, Stdio.files(null, tmp.resolve("o"), tmp.resolve("e"))));
        assertTrue(e.getMessage().contains("exec /bin/no-such-binary"), e.getMessage());
        assertEquals(127, e.dockerExitCode(), e.getMessage());
        assertFalse(rt.list().contains(id));
    }

    @Test
    void aBundleThatCannotBePlannedLeavesNoStageWaitingForItsPlan() throws Exception {
        // the native stage is started while the plan is computed; when planning fails it must be gone too
        Spec s = BusyboxBundle.defaultSpec("true");
        bundle.write(s.withRoot(new Spec.Root("no-such-rootfs", false)));
        assertThrows(IOException.class,
                () -> rt.run(bundle.dir, id, Stdio.files(null, tmp.resolve("o"), tmp.resolve("e"))));
        assertThrows(IOException.class, () -> rt.start(bundle.dir, id, tmp.resolve("log")));
        assertFalse(rt.list().contains(id));
        assertFalse(Files.exists(tmp.resolve("state").resolve(id)), "state directory left behind");
        String stateDir = tmp.resolve("state").resolve(id).toString();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmdline;
                try {
                    cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                } catch (IOException gone) {
                    continue;
                }
                assertFalse(cmdline.contains("--await") && cmdline.contains(stateDir), "stage left: " + cmdline);
            }
        }
    }

    @Test
    void memoryLimitOomKillsWith137() throws Exception {
        Spec s = withResources(BusyboxBundle.defaultSpec("sh", "-c", "x=aaaaaaaa; while true; do x=$x$x; done"),
                new Linux.Resources(new Linux.Memory(32L << 20, 32L << 20), null, null));
        assertEquals(137, run(s).code());
    }

    @Test
    void pidsLimitRefusesAForkBomb() throws Exception {
        // the sleeps are the processes the limit must refuse, not a wait of the test
        String script = "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 1 & done; echo all-started";
        Result limited = run(withResources(BusyboxBundle.defaultSpec("sh", "-c", script),
                new Linux.Resources(null, null, new Linux.Pids(8))));
        assertNotEquals(0, limited.code());
        assertTrue(limited.err().contains("can't fork"), limited.err());
        assertFalse(limited.out().contains("all-started"));
        Result free = run(BusyboxBundle.defaultSpec("sh", "-c", script));
        assertEquals(0, free.code(), free.err());
        assertTrue(free.out().contains("all-started"));
    }

    @Test
    void cpuQuotaThrottles() throws Exception {
        String loop = "i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done";
        Spec s = withResources(BusyboxBundle.defaultSpec("sh", "-c", "time sh -c '" + loop + "';"
                + " cat /sys/fs/cgroup/cpu/cpu.stat /sys/fs/cgroup/cpu.stat 2>/dev/null; true"),
                new Linux.Resources(null, Linux.Cpu.ofCpus(0.2), null));
        Result r = run(s);
        assertEquals(0, r.code(), r.err());
        double real = seconds(r.err(), "real"), user = seconds(r.err(), "user") + seconds(r.err(), "sys");
        assertTrue(real > 2.5 * user, "not throttled: real " + real + "s, cpu " + user + "s");
        long throttled = r.out().lines().filter(l -> l.startsWith("nr_throttled "))
                .mapToLong(l -> Long.parseLong(l.split(" ")[1])).sum();
        assertTrue(throttled > 0, r.out());
    }

    private static double seconds(String timeOutput, String key) {
        for (String l : timeOutput.lines().toList()) {
            if (l.startsWith(key)) {
                String[] f = l.trim().split("\\s+");
                String m = f[1].replace("m", ""), sec = f[2].replace("s", "");
                return Integer.parseInt(m) * 60 + Double.parseDouble(sec);
            }
        }
        throw new AssertionError("no " + key + " in " + timeOutput);
    }

    @Test
    void signalsToTheMonitorAreForwardedToTheContainer() throws Exception {
        // the loop keeps the container running until TERM: its work, not a wait of the test
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c",
                "trap 'echo got-TERM; exit 3' TERM; trap 'echo got-USR1' USR1; echo ready;"
                        + " while true; do sleep 0.05; done"));
        Path out = tmp.resolve("out");
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
            try {
                return rt.run(bundle.dir, id, Stdio.files(null, out, tmp.resolve("err")));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waitFor(() -> Files.exists(out) && Files.readString(out).contains("ready"));
        int monitor = Integer.parseInt(Files.readString(tmp.resolve("state").resolve(id).resolve("monitor.pid")).trim());
        assertEquals(0, Libc.get().kill(monitor, 10)); // USR1
        waitFor(() -> Files.readString(out).contains("got-USR1"));
        assertEquals(0, Libc.get().kill(monitor, 15)); // TERM
        assertEquals(3, code.get(10, TimeUnit.SECONDS));
        assertTrue(Files.readString(out).contains("got-TERM"));
    }

    @Test
    void killWithSigkillGives137AndLeavesNothingBehind() throws Exception {
        // the sleeps are processes that must still run when the container is killed
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "sleep 1013 & sleep 1013 & echo ready; wait"));
        Path out = tmp.resolve("out");
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> {
            try {
                return rt.run(bundle.dir, id, Stdio.files(null, out, tmp.resolve("err")));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waitFor(() -> Files.exists(out) && Files.readString(out).contains("ready"));
        assertEquals(ContainerState.RUNNING, rt.state(id).status());
        rt.kill(id, 9);
        assertEquals(137, code.get(10, TimeUnit.SECONDS));
        assertFalse(rt.list().contains(id), "state left behind");
        waitFor(() -> ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 1013")));
    }

    @Test
    void detachedContainerRunsAfterStartAndSupportsStateExecKillDelete() throws Exception {
        // sleep keeps the detached container running while it is looked at
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "echo started; hostname; exec sleep 60").withHostname("det"));
        Path log = tmp.resolve("ctr.log");
        ContainerState st = rt.start(bundle.dir, id, log);
        assertEquals(ContainerState.RUNNING, st.status());
        assertTrue(st.pid() > 0);
        assertEquals(id, st.id());
        assertEquals(bundle.dir.toString(), st.bundle());
        waitFor(() -> Files.exists(log) && ContainerLog.text(log, ContainerLog.Chunk.STDOUT).contains("det"));
        assertTrue(ContainerLog.text(log, ContainerLog.Chunk.STDOUT).startsWith("started\ndet\n"));

        Path out = tmp.resolve("exec-out");
        ProcessSpec p = rt.processOf(id).withArgs(List.of("sh", "-c", "hostname; echo $$; ls -d /proc/[0-9]* | wc -l;"
                + " grep -c . /proc/self/cgroup; cat /proc/1/cmdline; exit 7"));
        int code = rt.exec(id, p, Stdio.files(null, out, tmp.resolve("exec-err")));
        assertEquals(7, code, Files.readString(tmp.resolve("exec-err")));
        List<String> lines = Files.readString(out).lines().toList();
        assertEquals("det", lines.get(0));
        assertNotEquals("1", lines.get(1));
        assertTrue(Integer.parseInt(lines.get(2).trim()) <= 4, "sees host processes: " + lines);
        assertTrue(lines.get(4).startsWith("sleep"), lines.toString());

        assertThrows(ContainerException.class, () -> rt.delete(id, false));
        rt.kill(id, 9);
        waitFor(() -> rt.state(id).status().equals(ContainerState.STOPPED));
        assertEquals(137, rt.exitCode(id).getAsInt());
        waitFor(() -> bundle.cgroups.children().isEmpty());
        rt.delete(id, false);
        assertFalse(rt.list().contains(id));
    }

    @Test
    void afterTheMonitorCrashesReapStaleKillsTheContainerAndRemovesItsCgroup() throws Exception {
        // sleep keeps the container running when its monitor crashes
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "echo up; exec sleep 1017"));
        Path log = tmp.resolve("ctr.log");
        ContainerState st = rt.start(bundle.dir, id, log);
        int monitor = Integer.parseInt(Files.readString(tmp.resolve("state").resolve(id).resolve("monitor.pid")).trim());
        assertEquals(0, Libc.get().kill(monitor, 9)); // dcont's monitor dies: nobody will clean up
        waitFor(() -> !StateDir.alive(monitor));
        assertTrue(StateDir.alive(st.pid()), "container should outlive its monitor");
        assertFalse(bundle.cgroups.children().isEmpty(), "the container's cgroup is left to reap");
        assertEquals(ContainerState.STOPPED, rt.state(id).status()); // no monitor, no exit code: not running for us

        assertEquals(1, rt.reapStale());
        waitFor(() -> !StateDir.alive(st.pid()));
        assertEquals(List.of(), bundle.cgroups.children());
        rt.delete(id, false);
    }

    @Test
    void ptySessionThroughScript() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sh").withHostname("ptybox"));
        Spec s = BusyboxBundle.defaultSpec("sh");
        bundle.write(s.withProcess(s.process().withTerminal(true)));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String inner = "stty rows 33 cols 77; " + java + " -cp '" + cp + "' dev.dcont.runtime.RuntimeMain --root "
                + rt.stateRoot() + " run -b " + bundle.dir + " " + id + "; echo rc=$?; stty -a";
        Process script = new ProcessBuilder("script", "-qec", inner, "/dev/null").redirectErrorStream(true).start();
        script.getOutputStream().write("tty; stty size; echo $((6*7)); exit 5\n".getBytes());
        script.getOutputStream().close();
        assertTrue(script.waitFor(30, TimeUnit.SECONDS));
        String out = new String(script.getInputStream().readAllBytes());
        assertTrue(out.contains("/dev/pts/0"), "output was: " + out);
        assertTrue(out.contains("33 77"), out);
        assertTrue(out.contains("42"), out);
        assertTrue(out.contains("rc=5"), out);
        String after = out.substring(out.indexOf("rc=5"));
        assertTrue(after.contains(" icanon") && after.contains(" echo "), "terminal not restored: " + after);
    }

    private static void waitFor(Poll.Condition c) throws Exception {
        Poll.until("the container", java.time.Duration.ofSeconds(10), c);
    }
}
