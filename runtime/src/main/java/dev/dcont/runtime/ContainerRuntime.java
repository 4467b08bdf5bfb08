package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.PrivateFiles;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs containers from OCI bundles (a rootfs plus config.json), like runc. Each container has a state directory
 * under {@code stateRoot} (e.g. /run/dcont). Between clone and execve everything happens in the native stage
 * {@code dcont-init}, driven by a plan computed in Java; that process also stays outside the container as its
 * monitor: it forwards signals, relays the pty, records the exit status and removes the cgroup. The making of a
 * container (state directory, cgroup, plan) is {@link ContainerCreation}'s.
 */
public final class ContainerRuntime {

    private final Path stateRoot;
    private final HostCgroups cgroups;
    private final ContainerCreation creation;
    private final OciLifecycle lifecycle;

    public ContainerRuntime(Path stateRoot) {
        this(stateRoot, null);
    }

    public ContainerRuntime(Path stateRoot, Cgroups cgroups) {
        this.stateRoot = stateRoot;
        this.cgroups = new HostCgroups(cgroups);
        this.creation = new ContainerCreation(stateRoot, this.cgroups);
        this.lifecycle = new OciLifecycle(this, creation, this.cgroups);
    }

    public Path stateRoot() {
        return stateRoot;
    }

    /**
     * Whether {@code id} is a container ID this runtime takes: {@code [A-Za-z0-9][A-Za-z0-9_.-]*}, at most 128
     * characters (runc's and Docker's rule for IDs and names).
     */
    public static boolean isValidId(String id) {
        return StateDir.validId(id);
    }

    /**
     * Runs the container in the foreground and returns its exit code (128+N if killed by signal N, 137 for
     * an OOM kill). Signals INT TERM HUP QUIT USR1 USR2 sent to this JVM are forwarded. The container's stdio are
     * pipes (or a pty) that the monitor relays to and from {@code stdio}. Afterwards no process, mount, cgroup or
     * state of the container is left.
     */
    public int run(Path bundle, String id, Stdio stdio) throws IOException, ContainerException {
        cgroups.detectAhead();
        StateDir sd = creation.prepare(bundle, id);
        EarlyStage stage = EarlyStage.start(sd.plan(), stdio);
        CgroupManager cgroup = creation.create(bundle, sd, null, List.of(), stdio.input(), stage);
        Process monitor = null;
        try {
            monitor = stage.process();
            int code;
            try (SignalForwarder ignored = SignalForwarder.install(monitor.pid())) {
                code = Uninterruptibly.waitFor(monitor);
            }
            String error = StateDir.readOrNull(sd.errorFile());
            if (error != null) {
                throw ContainerException.startFailed("container " + id + ": start failed", error);
            }
            return code;
        } finally {
            if (monitor != null && monitor.isAlive()) {
                monitor.destroyForcibly();
                Uninterruptibly.waitFor(monitor);
            }
            cgroup.destroy();
            StateDir.deleteTree(sd.dir);
        }
    }

    /**
     * Starts the container detached: it keeps running after this JVM exits; its monitor appends what it writes to
     * stdout and stderr (or to its terminal) to {@code logFile} as records that tell the streams apart (see
     * {@link ContainerLog}), stdin is /dev/null. The monitor records the exit code and removes the cgroup when it ends;
     * {@link #delete} removes the state.
     */
    public ContainerState start(Path bundle, String id, Path logFile) throws IOException, ContainerException {
        return start(bundle, id, logFile, List.of());
    }

    /**
     * As {@link #start(Path, String, Path)}; when the container has ended and its monitor has recorded
     * the exit code and removed the cgroup, the monitor starts {@code onExit} (an absolute program path
     * and its arguments, detached, stdio on /dev/null): how a caller cleans up after {@code run -d --rm}.
     */
    public ContainerState start(Path bundle, String id, Path logFile, List<String> onExit)
            throws IOException, ContainerException {
        cgroups.detectAhead();
        // the monitor appends to the log: made here, 0600, so that its mode does not depend on the stage's
        PrivateFiles.touch(logFile);
        StateDir sd = creation.prepare(bundle, id);
        EarlyStage stage = EarlyStage.start(sd.plan(), null);
        CgroupManager cgroup = creation.create(bundle, sd, logFile.toAbsolutePath().toString(), onExit, false,
                stage);
        int code;
        try {
            code = Uninterruptibly.waitFor(stage.process());
        } catch (IOException e) {
            cgroup.destroy();
            StateDir.deleteTree(sd.dir);
            throw e;
        }
        String error = StateDir.readOrNull(sd.errorFile());
        if (code != 0 || error != null) {
            cgroup.destroy();
            StateDir.deleteTree(sd.dir);
            throw ContainerException.startFailed("container " + id + ": start failed",
                    error != null ? error : "dcont-init exited with " + code);
        }
        return state(id);
    }

    /**
     * runc's create: returns once the container is created, its process waiting for {@link #startCreated}; no
     * dcont process stays its parent, and its stdio are the caller's. Its pid goes to {@code pidFile} (may be
     * null). The spec's createRuntime, prestart and createContainer hooks have run; one failing fails the
     * create, which removes what it made.
     */
    public ContainerState create(Path bundle, String id, Path pidFile) throws IOException, ContainerException {
        return lifecycle.create(bundle, id, pidFile, null);
    }

    /** As {@link #create(Path, String, Path)}; the terminal's master goes to the unix socket {@code consoleSocket}. */
    public ContainerState create(Path bundle, String id, Path pidFile, Path consoleSocket)
            throws IOException, ContainerException {
        return lifecycle.create(bundle, id, pidFile, consoleSocket);
    }

    /**
     * runc's run in the foreground with the spec's hooks: create, start, wait, delete, with the caller's stdio and
     * no relay (see {@link OciLifecycle#runForeground}); the process's exit code.
     */
    public int runCreated(Path bundle, String id) throws IOException, ContainerException {
        return lifecycle.runForeground(bundle, id);
    }

    /** runc's start: releases a created container's process (its startContainer, then poststart hooks run). */
    public void startCreated(String id) throws IOException, ContainerException {
        lifecycle.start(id);
    }

    /** The OCI state of a container; throws if there is no such container. */
    public ContainerState state(String id) throws IOException, ContainerException {
        StateDir sd = existing(id);
        StateDir.Stored s = stored(sd);
        String status;
        int pid = StateDir.readInt(sd.pidFile());
        int monitorPid = StateDir.readInt(sd.monitorPidFile());
        long startTime = StateDir.readLong(sd.startTimeFile());
        if (Files.exists(sd.exitFile()) || Files.exists(sd.errorFile())) {
            status = ContainerState.STOPPED;
        } else if (startTime >= 0) {
            // runc's create: no monitor; the pid is the container's while it runs with the start time it had
            if (StateDir.startTime(pid) != startTime) {
                status = ContainerState.STOPPED;
            } else {
                status = Files.exists(sd.execFifo()) ? ContainerState.CREATED : ContainerState.RUNNING;
            }
        } else if (pid <= 0) {
            status = StateDir.alive(monitorPid) || monitorPid < 0 ? ContainerState.CREATING : ContainerState.STOPPED;
        } else if (StateDir.parentOf(pid) == monitorPid) {
            // until execve the child runs the stage's sealed memfd image; afterwards the container's binary
            status = Files.exists(sd.startedFile()) || !StateDir.runsStage(pid)
                    ? ContainerState.RUNNING : ContainerState.CREATED;
        } else {
            status = ContainerState.STOPPED;
        }
        if ((status.equals(ContainerState.RUNNING) || status.equals(ContainerState.CREATED)) && paused(s)) {
            status = ContainerState.PAUSED;
        }
        boolean live = !status.equals(ContainerState.STOPPED) && !status.equals(ContainerState.CREATING);
        return new ContainerState(s.ociVersion(), s.id(), status, live ? pid : 0, s.bundle(),
                s.annotations() == null ? Map.of() : s.annotations());
    }

    /**
     * Whether the container's processes are frozen: the one place that status {@code paused} comes from. Nothing
     * records it: the freezer is the truth, also for a container paused or thawed by another tool.
     */
    private boolean paused(StateDir.Stored s) throws IOException {
        CgroupManager cg = managerOf(s);
        return cg.exists() && cg.frozen();
    }

    /**
     * Thaws a paused container after a SIGKILL: a task frozen by the v1 freezer acts on no signal until thawed
     * (runc thaws so too). Other signals wait for a resume.
     */
    private void thawAfterKill(String id, ContainerState st, int signal) throws IOException, ContainerException {
        if (signal != 9 || !st.status().equals(ContainerState.PAUSED)) {
            return;
        }
        CgroupManager cg = managerOf(stored(existing(id)));
        try {
            cg.thaw();
        } catch (IOException e) {
            if (cg.exists()) {
                throw new ContainerException("container " + id + ": kill: thaw after SIGKILL: " + e.getMessage(), e);
            }
            // killed and removed by its monitor meanwhile: nothing is left frozen
        }
    }

    /** The exit code of a stopped container, or empty while it runs. */
    public java.util.OptionalInt exitCode(String id) throws IOException, ContainerException {
        StateDir sd = existing(id);
        int c = StateDir.readInt(sd.exitFile());
        if (c < 0 && state(id).status().equals(ContainerState.STOPPED)) {
            // the init is gone but its monitor may not have recorded the status yet: give it a moment
            int monitorPid = StateDir.readInt(sd.monitorPidFile());
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (c < 0 && StateDir.alive(monitorPid) && System.nanoTime() < deadline) {
                sleep(2);
                c = StateDir.readInt(sd.exitFile());
            }
            // the monitor may have written the code and exited between the first read and the liveness check
            c = StateDir.readInt(sd.exitFile());
        }
        return c < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(c);
    }

    /** The pids (as seen from here) of every process of the container. */
    public List<Integer> pids(String id) throws IOException, ContainerException {
        CgroupManager cg = managerOf(stored(existing(id)));
        return cg.exists() ? cg.pids() : List.of();
    }

    /** Ids of all containers with a state directory. */
    public List<String> list() throws IOException {
        if (!Files.isDirectory(stateRoot)) {
            return List.of();
        }
        try (var s = Files.list(stateRoot)) {
            return s.filter(p -> Files.exists(p.resolve("state.json"))).map(p -> p.getFileName().toString())
                    .sorted().toList();
        }
    }

    /** Sends {@code signal} to the container's init process. */
    public void kill(String id, int signal) throws IOException, ContainerException {
        kill(id, signal, false);
    }

    /** Sends {@code signal} to the container's init process, or with {@code all} to every process of its cgroup. */
    public void kill(String id, int signal, boolean all) throws IOException, ContainerException {
        ContainerState st = state(id);
        if (all) {
            CgroupManager cg = managerOf(stored(existing(id)));
            if (cg.exists()) {
                for (int pid : cg.pids()) {
                    Libc.get().kill(pid, signal);
                }
            }
            thawAfterKill(id, st, signal);
            return;
        }
        if (st.pid() <= 0) {
            throw new ContainerException("container " + id + ": container not running (" + st.status() + ")");
        }
        if (Libc.get().kill(st.pid(), signal) != 0) {
            throw new ContainerException("container " + id + ": kill " + signal + " failed: errno "
                    + com.sun.jna.Native.getLastError());
        }
        thawAfterKill(id, st, signal);
    }

    /**
     * Removes a stopped or created container's cgroup and state (a created one's waiting process is killed). A
     * running one is refused unless {@code force}, which SIGKILLs it first (and with which a container that does
     * not exist is no error, as in runc). The poststop hooks run last.
     */
    public void delete(String id, boolean force) throws IOException, ContainerException {
        StateDir gone = new StateDir(stateRoot, id);
        if (force && !Files.exists(gone.stateJson())) {
            // as runc: what an aborted create left (a directory without state.json) goes, and a forced delete
            // of a container that does not exist is no error
            StateDir.deleteTree(gone.dir);
            return;
        }
        StateDir sd = existing(id);
        ContainerState st = state(id);
        if (st.pid() > 0) {
            if (!force && !st.status().equals(ContainerState.CREATED)) {
                throw new ContainerException("container " + id + ": is " + st.status() + "; stop it or delete with force");
            }
            Libc.get().kill(st.pid(), 9);
            thawAfterKill(id, st, 9);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (StateDir.alive(st.pid()) && System.nanoTime() < deadline) {
                sleep(5);
            }
        }
        StateDir.Stored s = stored(sd);
        killLeftovers(s);
        awaitMonitor(sd);
        managerOf(s).destroy();
        OciHooks.removeThenPoststop(sd, new ContainerState(s.ociVersion(), id, ContainerState.STOPPED, 0,
                s.bundle(), s.annotations() == null ? Map.of() : s.annotations()));
    }

    /**
     * Waits for the container's monitor to finish: it writes the exit file, removes the cgroup and starts the
     * on-exit program after its container has ended, so the state directory is still being written to when a
     * caller sees the container stopped. Only a process that still runs this container's plan counts (a monitor
     * pid may have been reused by now).
     */
    private static void awaitMonitor(StateDir sd) throws IOException {
        int monitor = StateDir.readInt(sd.monitorPidFile());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (monitor > 0 && runsPlanOf(monitor, sd) && System.nanoTime() < deadline) {
            sleep(5);
        }
    }

    private static boolean runsPlanOf(int pid, StateDir sd) {
        try {
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8);
            return cmdline.contains(sd.dir.toString());
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Runs {@code process} inside the running container {@code id}: joins its namespaces and cgroup; a pty if
     * {@code process.terminal}, else pipes relayed to and from {@code stdio}. Returns the exit code.
     */
    public int exec(String id, ProcessSpec process, Stdio stdio) throws IOException, ContainerException {
        return exec(id, process, stdio, null, null);
    }

    /**
     * runc's exec --detach: starts {@code process} in the running container {@code id} with this program's stdio
     * (or a terminal whose master goes to {@code consoleSocket}) and returns its pid once it has executed; no dcont
     * process stays its parent (the caller's subreaper waits for it).
     */
    public int execDetached(String id, ProcessSpec process, Path pidFile, Path consoleSocket)
            throws IOException, ContainerException {
        int[] pid = new int[1];
        exec(id, process, Stdio.inherit(), pid, consoleSocket);
        if (pidFile != null) {
            OciLifecycle.writePidFile(pidFile, pid[0]);
        }
        return pid[0];
    }

    private int exec(String id, ProcessSpec process, Stdio stdio, int[] detachedPid, Path consoleSocket)
            throws IOException, ContainerException {
        return new ContainerExec(this, cgroups).exec(id, process, stdio, detachedPid, consoleSocket);
    }

    /** The process spec the container was started with, as a template for {@link #exec}. */
    public ProcessSpec processOf(String id) throws IOException, ContainerException {
        StateDir.Stored s = stored(existing(id));
        return SpecMaps.readSpec(Path.of(s.bundle(), "config.json")).process();
    }

    /**
     * Cleans up after crashed runs: for every container whose monitor is gone, kills what is left in its
     * cgroup and removes the cgroup; state of foreground runs is removed too (detached ones stay "stopped" until
     * {@link #delete}). Returns the number of containers cleaned.
     */
    public int reapStale() throws IOException {
        int n = 0;
        for (String id : list()) {
            StateDir sd = new StateDir(stateRoot, id);
            try {
                if (Files.exists(sd.startTimeFile())) {
                    continue; // runc's create: no monitor to lose; delete removes it
                }
                int monitorPid = StateDir.readInt(sd.monitorPidFile());
                if (monitorPid > 0 && StateDir.alive(monitorPid)) {
                    continue;
                }
                if (monitorPid < 0 && !Files.exists(sd.errorFile())
                        && Files.getLastModifiedTime(sd.stateJson()).toMillis() > System.currentTimeMillis() - 60_000) {
                    continue; // being created right now
                }
                StateDir.Stored s = stored(sd);
                killLeftovers(s);
                managerOf(s).destroy();
                if (!s.detached()) {
                    StateDir.deleteTree(sd.dir);
                }
                n++;
            } catch (IOException | RuntimeException e) {
                // another container's problem must not stop the sweep
            }
        }
        return n;
    }

    StateDir existing(String id) throws ContainerException {
        StateDir sd = new StateDir(stateRoot, id);
        if (!Files.exists(sd.stateJson())) {
            // runc's words, which its callers (containerd's shim, podman) look for
            throw new ContainerException("container " + id + ": no such container (does not exist in " + stateRoot
                    + ")");
        }
        return sd;
    }

    static StateDir.Stored stored(StateDir sd) throws IOException {
        return StateDir.Stored.read(sd.stateJson());
    }

    private CgroupManager managerOf(StateDir.Stored s) {
        return cgroups.get().manager(s.cgroupsPath());
    }

    private void killLeftovers(StateDir.Stored s) throws IOException {
        CgroupManager cg = managerOf(s);
        if (!cg.exists()) {
            return;
        }
        for (int round = 0; round < 100; round++) {
            List<Integer> pids = cg.pids();
            if (pids.isEmpty()) {
                return;
            }
            for (int pid : pids) {
                Libc.get().kill(pid, 9);
            }
            sleep(10);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
