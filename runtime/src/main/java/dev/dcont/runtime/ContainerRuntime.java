package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.PrivateFiles;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs containers from OCI bundles (a rootfs plus config.json), like runc. Each container has a state directory
 * under {@code stateRoot} (e.g. /run/dcont). Between clone and execve everything happens in the native stage
 * {@code dcont-init}, driven by a plan computed in Java; that process also stays outside the container as its
 * monitor: it forwards signals, relays the pty, records the exit status and removes the cgroup. The making of a
 * container (state directory, cgroup, plan) is {@link ContainerCreation}'s, runc's create and start are
 * {@link OciLifecycle}'s, and what state, kill and delete do to an existing container {@link ExistingContainers}'.
 */
public final class ContainerRuntime {

    private final Path stateRoot;
    private final HostCgroups cgroups;
    private final ContainerCreation creation;
    private final OciLifecycle lifecycle;
    private final ExistingContainers existing;

    public ContainerRuntime(Path stateRoot) {
        this(stateRoot, null);
    }

    public ContainerRuntime(Path stateRoot, Cgroups cgroups) {
        this.stateRoot = stateRoot;
        this.cgroups = new HostCgroups(cgroups);
        this.creation = new ContainerCreation(stateRoot, this.cgroups);
        this.lifecycle = new OciLifecycle(this, creation, this.cgroups);
        this.existing = new ExistingContainers(stateRoot, this.cgroups);
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
        return run(bundle, id, stdio, CreateOptions.NONE);
    }

    /** As {@link #run(Path, String, Stdio)}, with runc's create options. */
    public int run(Path bundle, String id, Stdio stdio, CreateOptions options) throws IOException, ContainerException {
        cgroups.detectAhead();
        StateDir sd = creation.prepare(bundle, id);
        EarlyStage stage = EarlyStage.start(sd.plan(), stdio);
        CgroupManager cgroup = creation.create(bundle, sd, null, List.of(), stdio.input(), stage, null, options);
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
        return start(bundle, id, logFile, onExit, false);
    }

    /**
     * As above; with {@code stdinOpen} (run -d -i) the container's input stays open for the clients of its attach
     * socket ({@link #attach}) instead of being at its end from the start.
     */
    public ContainerState start(Path bundle, String id, Path logFile, List<String> onExit, boolean stdinOpen)
            throws IOException, ContainerException {
        cgroups.detectAhead();
        // the monitor appends to the log: made here, 0600, so that its mode does not depend on the stage's
        PrivateFiles.touch(logFile);
        StateDir sd = creation.prepare(bundle, id);
        EarlyStage stage = EarlyStage.start(sd.plan(), null);
        CgroupManager cgroup = creation.create(bundle, sd, logFile.toAbsolutePath().toString(), onExit, stdinOpen,
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
        return lifecycle.create(bundle, id, pidFile, null, CreateOptions.NONE);
    }

    /** As {@link #create(Path, String, Path)}; the terminal's master goes to the unix socket {@code consoleSocket}. */
    public ContainerState create(Path bundle, String id, Path pidFile, Path consoleSocket)
            throws IOException, ContainerException {
        return lifecycle.create(bundle, id, pidFile, consoleSocket, CreateOptions.NONE);
    }

    /** As {@link #create(Path, String, Path, Path)}, with runc's create options. */
    public ContainerState create(Path bundle, String id, Path pidFile, Path consoleSocket, CreateOptions options)
            throws IOException, ContainerException {
        return lifecycle.create(bundle, id, pidFile, consoleSocket, options);
    }

    /**
     * runc's run in the foreground with the spec's hooks: create, start, wait, delete, with the caller's stdio and
     * no relay (see {@link OciLifecycle#runForeground}); the process's exit code.
     */
    public int runCreated(Path bundle, String id) throws IOException, ContainerException {
        return lifecycle.runForeground(bundle, id, CreateOptions.NONE);
    }

    /** As {@link #runCreated(Path, String)}, with runc's create options. */
    public int runCreated(Path bundle, String id, CreateOptions options) throws IOException, ContainerException {
        return lifecycle.runForeground(bundle, id, options);
    }

    /** runc's start: releases a created container's process (its startContainer, then poststart hooks run). */
    public void startCreated(String id) throws IOException, ContainerException {
        lifecycle.start(id);
    }

    /**
     * A client of detached container {@code id}'s attach socket: its output from now on, and its input when it was
     * started with one open; empty when it has none (it ended, runs in the foreground, or was started by an
     * earlier dcont).
     */
    public java.util.Optional<ContainerAttach> attach(String id) throws IOException {
        return ContainerAttach.open(new StateDir(stateRoot, id).dir);
    }

    /** The OCI state of a container; throws if there is no such container. */
    public ContainerState state(String id) throws IOException, ContainerException {
        return existing.state(id);
    }

    /** The exit code of a stopped container, or empty while it runs. */
    public java.util.OptionalInt exitCode(String id) throws IOException, ContainerException {
        return existing.exitCode(id);
    }

    /**
     * The container's processes as the host's {@code ps} with {@code psArgs} (default {@code -ef}) shows them: its
     * title and the container's rows ({@code docker top}, runc's ps).
     */
    public String processTable(String id, List<String> psArgs) throws IOException, ContainerException {
        return RuntimeListing.processTable(pids(id), psArgs);
    }

    /** The pids (as seen from here) of every process of the container. */
    public List<Integer> pids(String id) throws IOException, ContainerException {
        return existing.pids(id);
    }

    /** Ids of all containers with a state directory. */
    public List<String> list() throws IOException {
        return existing.list();
    }

    /** Sends {@code signal} to the container's init process. */
    public void kill(String id, int signal) throws IOException, ContainerException {
        existing.kill(id, signal, false);
    }

    /** Sends {@code signal} to the container's init process, or with {@code all} to every process of its cgroup. */
    public void kill(String id, int signal, boolean all) throws IOException, ContainerException {
        existing.kill(id, signal, all);
    }

    /**
     * Removes a stopped or created container's cgroup and state (a created one's waiting process is killed). A
     * running one is refused unless {@code force}, which SIGKILLs it first (and with which a container that does
     * not exist is no error, as in runc). The poststop hooks run last.
     */
    public void delete(String id, boolean force) throws IOException, ContainerException {
        existing.delete(id, force);
    }

    /**
     * Cleans up after crashed runs: for every container whose monitor is gone, kills what is left in its
     * cgroup and removes the cgroup; state of foreground runs is removed too (detached ones stay "stopped" until
     * {@link #delete}). Returns the number of containers cleaned.
     */
    public int reapStale() throws IOException {
        return existing.reapStale();
    }

    /**
     * Runs {@code process} inside the running container {@code id}: joins its namespaces and cgroup; a pty if
     * {@code process.terminal}, else pipes relayed to and from {@code stdio}. Returns the exit code.
     */
    public int exec(String id, ProcessSpec process, Stdio stdio) throws IOException, ContainerException {
        return exec(id, process, stdio, null, null, 0);
    }

    /** As {@link #exec(String, ProcessSpec, Stdio)}; the process also gets this program's descriptors 3 .. 2+preserveFds. */
    public int exec(String id, ProcessSpec process, Stdio stdio, int preserveFds) throws IOException, ContainerException {
        return exec(id, process, stdio, null, null, preserveFds);
    }

    /**
     * runc's exec --detach: starts {@code process} in the running container {@code id} with this program's stdio
     * (or a terminal whose master goes to {@code consoleSocket}) and returns its pid once it has executed; no dcont
     * process stays its parent (the caller's subreaper waits for it).
     */
    public int execDetached(String id, ProcessSpec process, Path pidFile, Path consoleSocket)
            throws IOException, ContainerException {
        return execDetached(id, process, pidFile, consoleSocket, 0);
    }

    /** As {@link #execDetached(String, ProcessSpec, Path, Path)}, with this program's descriptors 3 .. 2+preserveFds. */
    public int execDetached(String id, ProcessSpec process, Path pidFile, Path consoleSocket, int preserveFds)
            throws IOException, ContainerException {
        int[] pid = new int[1];
        exec(id, process, Stdio.inherit(), pid, consoleSocket, preserveFds);
        if (pidFile != null) {
            OciLifecycle.writePidFile(pidFile, pid[0]);
        }
        return pid[0];
    }

    private int exec(String id, ProcessSpec process, Stdio stdio, int[] detachedPid, Path consoleSocket,
                     int preserveFds) throws IOException, ContainerException {
        return new ContainerExec(this, cgroups).exec(id, process, stdio, detachedPid, consoleSocket, preserveFds);
    }

    /** The process spec the container was started with, as a template for {@link #exec}. */
    public ProcessSpec processOf(String id) throws IOException, ContainerException {
        StateDir.Stored s = stored(existing(id));
        return SpecMaps.readSpec(Path.of(s.bundle(), "config.json")).process();
    }

    StateDir existing(String id) throws ContainerException {
        return existing.existing(id);
    }

    static StateDir.Stored stored(StateDir sd) throws IOException {
        return ExistingContainers.stored(sd);
    }
}
