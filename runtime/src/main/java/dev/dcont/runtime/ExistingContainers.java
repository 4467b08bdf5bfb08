package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.spec.ContainerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What runc's state, kill and delete do to the containers that exist under a state root, whichever way they were
 * made ({@code run}, {@code start}, runc's create): their status from the state directory and the processes, the
 * signals, the removal, and the clean-up after crashed runs. {@link ContainerRuntime} is the public face of it.
 */
final class ExistingContainers {
    private final Path stateRoot;
    private final HostCgroups cgroups;

    ExistingContainers(Path stateRoot, HostCgroups cgroups) {
        this.stateRoot = stateRoot;
        this.cgroups = cgroups;
    }

    /** The OCI state of a container; throws if there is no such container. */
    ContainerState state(String id) throws IOException, ContainerException {
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
    java.util.OptionalInt exitCode(String id) throws IOException, ContainerException {
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
    List<Integer> pids(String id) throws IOException, ContainerException {
        CgroupManager cg = managerOf(stored(existing(id)));
        return cg.exists() ? cg.pids() : List.of();
    }

    /** Ids of all containers with a state directory. */
    List<String> list() throws IOException {
        if (!Files.isDirectory(stateRoot)) {
            return List.of();
        }
        try (var s = Files.list(stateRoot)) {
            return s.filter(p -> Files.exists(p.resolve("state.json"))).map(p -> p.getFileName().toString())
                    .sorted().toList();
        }
    }

    /** Sends {@code signal} to the container's init process, or with {@code all} to every process of its cgroup. */
    void kill(String id, int signal, boolean all) throws IOException, ContainerException {
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
    void delete(String id, boolean force) throws IOException, ContainerException {
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
     * Cleans up after crashed runs: for every container whose monitor is gone, kills what is left in its
     * cgroup and removes the cgroup; state of foreground runs is removed too (detached ones stay "stopped" until
     * {@link #delete}). Returns the number of containers cleaned.
     */
    int reapStale() throws IOException {
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

    CgroupManager managerOf(StateDir.Stored s) {
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
