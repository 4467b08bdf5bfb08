package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.spec.SpecMaps;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.RootOnly;
import dev.dcont.testkit.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runc's lifecycle (create, start, state, kill, delete), its errors and the runtime-spec hooks, for real. This
 * JVM makes itself a child subreaper for each test, as conmon and containerd's shim do: a created container's
 * process must then be this JVM's child, with no dcont process in between.
 */
class OciLifecycleRootTest {
    interface C extends Library {
        C LIBC = Native.load("c", C.class);

        int prctl(int option, long arg2, long arg3, long arg4, long arg5);

        int waitpid(int pid, int[] status, int options);
    }

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;

    @TempDir Path tmp;
    private BusyboxBundle bundle;
    private ContainerRuntime rt;
    private String id;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require("runc lifecycle root test");
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        rt = new ContainerRuntime(tmp.resolve("state"));
        id = "oci-" + UUID.randomUUID().toString().substring(0, 8);
        assertEquals(0, C.LIBC.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    }

    @AfterEach
    void noLeftovers() throws Exception {
        if (rt == null) {
            return;
        }
        try {
            for (String c : rt.list()) {
                rt.delete(c, true);
            }
            reapAll();
            assertEquals(List.of(), bundle.cgroups.children(), "cgroup left behind");
            bundle.cgroups.close();
        } finally {
            C.LIBC.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
        }
    }

    /** What this subreaper inherited and is over (the containers' processes). */
    private static void reapAll() {
        while (C.LIBC.waitpid(-1, null, WNOHANG) > 0) {
            // reaped one
        }
    }

    private static int parentOf(int pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("PPid:")) {
                return Integer.parseInt(l.substring(5).trim());
            }
        }
        throw new AssertionError("no PPid for " + pid);
    }

    private String status(String c) throws Exception {
        return rt.state(c).status();
    }

    private void awaitStatus(String c, String want) throws Exception {
        Poll.until(c + " " + want, Duration.ofSeconds(10), () -> {
            reapAll();
            return status(c).equals(want);
        });
    }

    @Test
    void createStateStartKillDelete() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        Path pidFile = tmp.resolve("pid");
        ContainerState created = rt.create(bundle.dir, id, pidFile);
        assertEquals(ContainerState.CREATED, created.status());
        int pid = created.pid();
        assertTrue(pid > 0);
        assertEquals(Integer.toString(pid), Files.readString(pidFile));
        assertEquals(bundle.dir.toAbsolutePath().normalize().toString(), created.bundle());
        // reparented to this subreaper: no dcont process stays between the caller and the container
        assertEquals(ProcessHandle.current().pid(), parentOf(pid));
        // and it waits: it has not executed the container's program yet
        assertTrue(Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().startsWith("/memfd:dcont-init"));
        assertEquals(ContainerState.CREATED, status(id));

        rt.startCreated(id);
        assertEquals(ContainerState.RUNNING, status(id));
        Poll.until("sleep to run", Duration.ofSeconds(10),
                () -> Files.readString(Path.of("/proc/" + pid + "/cmdline")).startsWith("sleep\0"));
        assertEquals(pid, rt.state(id).pid());
        assertEquals(List.of(pid), rt.pids(id));

        rt.kill(id, Signals.parse("SIGKILL"));
        awaitStatus(id, ContainerState.STOPPED);
        assertEquals(0, rt.state(id).pid());
        rt.delete(id, false);
        assertFalse(rt.list().contains(id));
        assertEquals(List.of(), bundle.cgroups.children());
    }

    /** The program's pause, state, update, resume and kill, as an engine calls them. */
    @Test
    void pauseStateUpdateResumeAndKillThroughTheProgram() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        rt.create(bundle.dir, id, null);
        rt.startCreated(id);
        String root = rt.stateRoot().toString();
        assertEquals(0, RuntimeMain.execute(new String[] {"--root", root, "pause", id}));
        assertEquals(ContainerState.PAUSED, status(id));
        assertEquals(1, RuntimeMain.execute(new String[] {"--root", root, "pause", id}), "paused twice");
        Path resources = tmp.resolve("resources.json");
        Files.writeString(resources, "{\"pids\":{\"limit\":77}}");
        assertEquals(0, RuntimeMain.execute(new String[] {"--root", root, "update", "--resources",
            resources.toString(), id}));
        assertEquals("77", dev.dcont.runtime.cgroup.Cgroups.detect().manager(bundle.cgroups.pathOf("c1"))
                .read("pids.max"));
        assertEquals(0, RuntimeMain.execute(new String[] {"--root", root, "resume", id}));
        assertEquals(ContainerState.RUNNING, status(id));
        assertEquals(0, RuntimeMain.execute(new String[] {"--root", root, "pause", id}));
        // a paused container's init takes SIGKILL only once thawed: kill does that, as runc's
        assertEquals(0, RuntimeMain.execute(new String[] {"--root", root, "kill", id, "KILL"}));
        awaitStatus(id, ContainerState.STOPPED);
        assertEquals(0, RuntimeMain.execute(new String[] {"--root", root, "delete", id}));
        assertFalse(rt.list().contains(id));
    }

    @Test
    void execDetachedLeavesNoMonitorAndExecWaits() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        int init = rt.create(bundle.dir, id, null).pid();
        rt.startCreated(id);
        ProcessSpec p = rt.processOf(id).withArgs(List.of("sleep", "999"));
        Path pidFile = tmp.resolve("exec.pid");
        int pid = rt.execDetached(id, p, pidFile, null);
        assertEquals(Integer.toString(pid), Files.readString(pidFile));
        assertEquals(ProcessHandle.current().pid(), parentOf(pid));
        assertEquals(Files.readSymbolicLink(Path.of("/proc/" + init + "/ns/mnt")),
                Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/mnt")));
        assertTrue(rt.pids(id).contains(pid), "in the container's cgroup");
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        assertEquals(3, rt.exec(id, p.withArgs(List.of("sh", "-c", "exit 3")), Stdio.files(null, out, err)));
        rt.kill(id, 9, true);
        awaitStatus(id, ContainerState.STOPPED);
        Poll.until("the exec'd process to end", Duration.ofSeconds(10), () -> {
            reapAll();
            return StateDir.startTime(pid) < 0;
        });
    }

    /** A receiver of a --console-socket (the probe, on the host), listening once it returns. */
    private Process consoleReceiver(Path socket, String input) throws Exception {
        Process p = new ProcessBuilder(dev.dcont.testkit.Probe.path().toString(), "console_recv", socket.toString(),
                input).redirectErrorStream(true).start();
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertEquals("listening", first);
        return p;
    }

    private static String outputOf(Process p) throws Exception {
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "the console receiver did not end");
        return new String(p.getInputStream().readAllBytes());
    }

    @Test
    void theTerminalGoesToTheConsoleSocket() throws Exception {
        Spec s = BusyboxBundle.defaultSpec("sh");
        bundle.write(s.withProcess(s.process().withTerminal(true)));
        Path socket = tmp.resolve("console.sock");
        Process receiver = consoleReceiver(socket, "echo $((6*7)); tty; exit 4");
        rt.create(bundle.dir, id, null, socket);
        rt.startCreated(id);
        String out = outputOf(receiver);
        assertTrue(out.contains("console: /dev/ptmx"), out);
        assertTrue(out.contains("42"), out);
        assertTrue(out.contains("/dev/pts/0"), out);
        awaitStatus(id, ContainerState.STOPPED);

        // a terminal without a console socket is refused at create, as runc does
        rt.delete(id, false);
        ContainerException e = assertThrows(ContainerException.class, () -> rt.create(bundle.dir, id, null));
        assertTrue(e.getMessage().contains("--console-socket"), e.getMessage());
        assertFalse(rt.list().contains(id));
    }

    @Test
    void execDetachedWithATerminalSendsItToTheConsoleSocket() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        rt.create(bundle.dir, id, null);
        rt.startCreated(id);
        Path socket = tmp.resolve("exec-console.sock");
        Process receiver = consoleReceiver(socket, "echo exec-$((6*7)); exit");
        ProcessSpec p = rt.processOf(id).withArgs(List.of("sh")).withTerminal(true);
        int pid = rt.execDetached(id, p, null, socket);
        assertEquals(ProcessHandle.current().pid(), parentOf(pid));
        String out = outputOf(receiver);
        assertTrue(out.contains("exec-42"), out);
        // this subreaper's to reap, as conmon does: a zombie would keep the cgroup busy
        assertEquals(pid, C.LIBC.waitpid(pid, null, 0));
        rt.delete(id, true);
    }

    @Test
    void theErrorsOfTheLifecycle() throws Exception {
        ContainerException unknown = assertThrows(ContainerException.class, () -> rt.state("nosuch"));
        assertTrue(unknown.getMessage().contains("does not exist"), unknown.getMessage());
        assertThrows(ContainerException.class, () -> rt.startCreated("nosuch"));
        assertThrows(ContainerException.class, () -> rt.kill("nosuch", 15));
        assertThrows(ContainerException.class, () -> rt.delete("nosuch", false));
        rt.delete("nosuch", true); // runc: a forced delete of what does not exist is no error

        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        rt.create(bundle.dir, id, null);
        ContainerException dup = assertThrows(ContainerException.class, () -> rt.create(bundle.dir, id, null));
        assertTrue(dup.getMessage().contains("already exists"), dup.getMessage());
        assertEquals(ContainerState.CREATED, status(id), "the duplicate create must leave the first alone");

        rt.startCreated(id);
        ContainerException again = assertThrows(ContainerException.class, () -> rt.startCreated(id));
        assertTrue(again.getMessage().contains("cannot start a container that is running"), again.getMessage());
        ContainerException running = assertThrows(ContainerException.class, () -> rt.delete(id, false));
        assertTrue(running.getMessage().contains("running"), running.getMessage());
        assertEquals(ContainerState.RUNNING, status(id));
        int pid = rt.state(id).pid();
        rt.delete(id, true);
        assertFalse(rt.list().contains(id));
        Poll.until("the forced delete's kill", Duration.ofSeconds(10), () -> {
            reapAll();
            return StateDir.startTime(pid) < 0;
        });
    }

    @Test
    void deleteOfACreatedContainerKillsItsWaitingProcess() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        int pid = rt.create(bundle.dir, id, null).pid();
        rt.delete(id, false);
        assertFalse(rt.list().contains(id));
        Poll.until("the created process to end", Duration.ofSeconds(10), () -> {
            reapAll();
            return StateDir.startTime(pid) < 0;
        });
        ContainerException stopped = assertThrows(ContainerException.class, () -> rt.startCreated(id));
        assertTrue(stopped.getMessage().contains("does not exist"), stopped.getMessage());
    }

    @Test
    void startOfAStoppedContainerIsRefused() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        rt.create(bundle.dir, id, null);
        // a created container's process ends on SIGTERM, as runc's does (podman's stop of a created container)
        rt.kill(id, Signals.parse("TERM"));
        awaitStatus(id, ContainerState.STOPPED);
        ContainerException e = assertThrows(ContainerException.class, () -> rt.startCreated(id));
        assertTrue(e.getMessage().contains("cannot start a container that is stopped"), e.getMessage());
    }

    @Test
    void aProcessOfAnotherUserWithoutCapabilitiesStarts() throws Exception {
        Spec s = BusyboxBundle.defaultSpec("sleep", "1000");
        bundle.write(s.withProcess(s.process().withUser(new ProcessSpec.User(1000, 1000, null, List.of()))
                .withCapabilities(ProcessSpec.Capabilities.of(List.of()))));
        int pid = rt.create(bundle.dir, id, null).pid();
        rt.startCreated(id);
        assertEquals(ContainerState.RUNNING, status(id));
        Poll.until("sleep to run", Duration.ofSeconds(10),
                () -> Files.readString(Path.of("/proc/" + pid + "/cmdline")).startsWith("sleep\0"));
        assertTrue(Files.readAllLines(Path.of("/proc/" + pid + "/status")).contains("Uid:\t1000\t1000\t1000\t1000"));
    }

    @Test
    void anUnknownCapabilityIsRefusedNotIgnored() throws Exception {
        Spec s = BusyboxBundle.defaultSpec("true");
        bundle.write(s.withProcess(s.process().withCapabilities(
                ProcessSpec.Capabilities.of(List.of("CAP_CHOWN", "CAP_NO_SUCH_THING")))));
        ContainerException e = assertThrows(ContainerException.class, () -> rt.create(bundle.dir, id, null));
        assertTrue(e.getMessage().contains("CAP_NO_SUCH_THING"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(rt.list().contains(id));
        assertEquals(List.of(), bundle.cgroups.children());
    }

    /** As runc: an ambient capability that is not also inheritable is skipped, not a failure (umoci's specs). */
    @Test
    void anAmbientCapabilityWithoutInheritableIsSkipped() throws Exception {
        Spec s = BusyboxBundle.defaultSpec("true");
        List<String> caps = List.of("CAP_CHOWN", "CAP_KILL");
        bundle.write(s.withProcess(s.process().withCapabilities(
                new ProcessSpec.Capabilities(caps, caps, List.of(), caps, caps))));
        assertEquals(0, rt.run(bundle.dir, id, Stdio.inherit()));
    }

    /** A hook that appends its name and the state it got to {@code log}. */
    private static Map<String, Object> hook(String name, Path log, String sh) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("path", sh);
        h.put("args", List.of("sh", "-c", "{ echo \"" + name + " $HOOK_ENV\"; cat; echo; } >> " + log));
        h.put("env", List.of("HOOK_ENV=from-spec"));
        return h;
    }

    private void writeWithHooks(Spec spec, Map<String, Object> hooks) throws Exception {
        bundle.write(spec);
        Path config = bundle.dir.resolve("config.json");
        Map<String, Object> m = SpecMaps.readObject(config);
        m.put("hooks", hooks);
        SpecMaps.writeObject(config, m);
    }

    @Test
    void hooksRunInOrderWithTheStateOnStdin() throws Exception {
        Path log = tmp.resolve("hooks.log");
        Map<String, Object> hooks = new LinkedHashMap<>();
        for (String kind : List.of("prestart", "createRuntime", "createContainer", "poststart", "poststop")) {
            hooks.put(kind, List.of(hook(kind, log, "/bin/sh")));
        }
        // inside the container after pivot_root: its own /bin/sh, writing into its root
        hooks.put("startContainer", List.of(hook("startContainer", Path.of("/order.log"), "/bin/sh")));
        writeWithHooks(BusyboxBundle.defaultSpec("sh", "-c", "echo process >> /order.log; exec sleep 1000"), hooks);

        int pid = rt.create(bundle.dir, id, null).pid();
        List<String> afterCreate = Files.readAllLines(log);
        assertEquals(List.of("prestart from-spec", "createRuntime from-spec", "createContainer from-spec"),
                names(afterCreate));
        for (String state : states(afterCreate)) {
            assertState(state, "creating", pid);
        }
        Path order = bundle.rootfs.resolve("order.log");
        assertFalse(Files.exists(order), "startContainer ran before start");

        rt.startCreated(id);
        Poll.until("the process to write", Duration.ofSeconds(10),
                () -> Files.exists(order) && Files.readString(order).contains("process"));
        List<String> inside = Files.readAllLines(order);
        assertEquals(List.of("startContainer from-spec", "process"), names(inside));
        assertState(states(inside).get(0), "created", pid);
        List<String> afterStart = Files.readAllLines(log);
        assertEquals("poststart from-spec", names(afterStart).get(3));
        assertState(states(afterStart).get(3), "running", pid);

        rt.delete(id, true);
        List<String> afterDelete = Files.readAllLines(log);
        assertEquals("poststop from-spec", names(afterDelete).get(4));
        assertState(states(afterDelete).get(4), "stopped", 0);
    }

    @Test
    void aFailingCreateRuntimeHookFailsCreateAndCleansUp() throws Exception {
        Map<String, Object> failing = new LinkedHashMap<>();
        failing.put("path", "/bin/sh");
        failing.put("args", List.of("sh", "-c", "exit 7"));
        writeWithHooks(BusyboxBundle.defaultSpec("sleep", "1000"), Map.of("createRuntime", List.of(failing)));
        ContainerException e = assertThrows(ContainerException.class, () -> rt.create(bundle.dir, id, null));
        assertTrue(e.getMessage().contains("exited with 7"), e.getMessage());
        assertFalse(rt.list().contains(id));
        assertFalse(Files.exists(tmp.resolve("state").resolve(id)));
        assertEquals(List.of(), bundle.cgroups.children());
    }

    @Test
    void aFailingPoststartHookIsAWarningOnly() throws Exception {
        Map<String, Object> failing = new LinkedHashMap<>();
        failing.put("path", "/bin/false");
        writeWithHooks(BusyboxBundle.defaultSpec("sleep", "1000"), Map.of("poststart", List.of(failing)));
        rt.create(bundle.dir, id, null);
        rt.startCreated(id);
        assertEquals(ContainerState.RUNNING, status(id));
    }

    @Test
    void aHookPastItsTimeoutIsKilledAndFailsCreate() throws Exception {
        Map<String, Object> slow = new LinkedHashMap<>();
        slow.put("path", "/bin/sleep");
        slow.put("args", List.of("sleep", "100"));
        slow.put("timeout", 1);
        writeWithHooks(BusyboxBundle.defaultSpec("sleep", "1000"), Map.of("createContainer", List.of(slow)));
        ContainerException e = assertThrows(ContainerException.class, () -> rt.create(bundle.dir, id, null));
        assertTrue(e.getMessage().contains("timed out after 1 s"), e.getMessage());
        assertFalse(rt.list().contains(id));
    }

    @Test
    void runInTheForegroundWithHooksWaitsAndGivesTheExitCode() throws Exception {
        Path log = tmp.resolve("run-hooks.log");
        Map<String, Object> hooks = new LinkedHashMap<>();
        for (String kind : List.of("createRuntime", "poststart", "poststop")) {
            hooks.put(kind, List.of(hook(kind, log, "/bin/sh")));
        }
        writeWithHooks(BusyboxBundle.defaultSpec("sh", "-c", "exit 7"), hooks);
        assertEquals(7, rt.runCreated(bundle.dir, id));
        assertEquals(List.of("createRuntime from-spec", "poststart from-spec", "poststop from-spec"),
                names(Files.readAllLines(log)));
        assertFalse(rt.list().contains(id));
        assertEquals(List.of(), bundle.cgroups.children());
    }

    private static List<String> names(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (!l.startsWith("{") && !l.isBlank()) {
                out.add(l);
            }
        }
        return out;
    }

    private static List<String> states(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("{")).toList();
    }

    private void assertState(String json, String status, int pid) throws Exception {
        Path f = tmp.resolve("state-" + UUID.randomUUID() + ".json");
        Files.writeString(f, json);
        Map<String, Object> m = SpecMaps.readObject(f);
        assertEquals(id, m.get("id"), json);
        assertEquals(status, m.get("status"), json);
        assertEquals(pid, ((Number) m.get("pid")).intValue(), json);
        assertEquals(bundle.dir.toAbsolutePath().normalize().toString(), m.get("bundle"), json);
        assertNotEquals(null, m.get("ociVersion"), json);
    }
}
