package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What runc's pause, resume, update and ps do to an existing container, through its cgroup: the freezer (v1
 * freezer.state, v2 cgroup.freeze), the resource limits, the list of its processes. The container is found as
 * {@link ContainerRuntime} finds it: its state directory under the state root names its cgroup. Being paused is
 * not recorded anywhere: the kernel's freezer state is the truth, so a container paused by another tool shows as
 * paused too, and one thawed behind dcont's back does not stay "paused".
 */
public final class ContainerControl {
    /** The runtime spec's status of a container whose processes are frozen. */
    public static final String PAUSED = "paused";

    private static final int SIGKILL = 9;

    private final ContainerRuntime runtime;
    private final HostCgroups cgroups;

    /** For the containers of {@code runtime}, on the host's cgroup layout. */
    public ContainerControl(ContainerRuntime runtime) {
        this(runtime, null);
    }

    /** For the containers of {@code runtime}, whose cgroups are in {@code cgroups} (null: the host's layout). */
    public ContainerControl(ContainerRuntime runtime, Cgroups cgroups) {
        this.runtime = runtime;
        this.cgroups = new HostCgroups(cgroups);
    }

    /** For the containers whose state directories are under {@code stateRoot}. */
    public ContainerControl(Path stateRoot, Cgroups cgroups) {
        this(new ContainerRuntime(stateRoot, cgroups), cgroups);
    }

    /**
     * The container's state as {@link ContainerRuntime#state} has it, with status {@link #PAUSED} where the
     * container is running (or created) and its cgroup frozen.
     */
    public ContainerState state(String id) throws IOException, ContainerException {
        ContainerState st = runtime.state(id);
        if (live(st) && cgroupOf(id).frozen()) {
            return new ContainerState(st.ociVersion(), st.id(), PAUSED, st.pid(), st.bundle(), st.annotations());
        }
        return st;
    }

    /** Whether the container's cgroup is frozen. */
    public boolean paused(String id) throws IOException, ContainerException {
        return state(id).status().equals(PAUSED);
    }

    /**
     * Freezes every process of a running (or created) container and returns once the kernel reports them
     * stopped. A container that is paused already, stopped or being created is refused.
     */
    public void pause(String id) throws IOException, ContainerException {
        ContainerState st = state(id);
        if (!live(st)) {
            throw new ContainerException("container " + id + ": cannot pause, it is " + st.status()
                    + " (only a running or created container can be paused)");
        }
        try {
            cgroupOf(id).freeze();
        } catch (IOException e) {
            throw new ContainerException("container " + id + ": pause: " + e.getMessage(), e);
        }
    }

    /** Thaws a paused container. A container that is not paused is refused. */
    public void resume(String id) throws IOException, ContainerException {
        ContainerState st = state(id);
        if (!st.status().equals(PAUSED)) {
            throw new ContainerException("container " + id + ": cannot resume, it is " + st.status() + ", not paused");
        }
        try {
            cgroupOf(id).thaw();
        } catch (IOException e) {
            throw new ContainerException("container " + id + ": resume: " + e.getMessage(), e);
        }
    }

    /**
     * Applies the memory, CPU and pids limits given in {@code resources} to the container's cgroup; what is null
     * keeps its value. The limits live in the cgroup only: the bundle's config.json is the caller's and stays as it
     * was, as runc leaves it. A stopped container is refused.
     */
    public void update(String id, Linux.Resources resources) throws IOException, ContainerException {
        ContainerState st = state(id);
        if (st.status().equals(ContainerState.STOPPED) || st.status().equals(ContainerState.CREATING)) {
            throw new ContainerException("container " + id + ": cannot update, it is " + st.status());
        }
        try {
            cgroupOf(id).update(resources);
        } catch (IOException e) {
            throw new ContainerException("container " + id + ": update: " + e.getMessage(), e);
        }
    }

    /**
     * {@link ContainerRuntime#kill}; SIGKILL to a paused container thaws it too, since a task frozen by the v1
     * freezer acts on no signal until it is thawed (runc does the same). Other signals wait for {@link #resume}.
     */
    public void kill(String id, int signal) throws IOException, ContainerException {
        boolean paused = paused(id);
        runtime.kill(id, signal);
        if (paused && signal == SIGKILL) {
            CgroupManager cg = cgroupOf(id);
            try {
                cg.thaw();
            } catch (IOException e) {
                if (!cg.exists()) {
                    return; // killed and removed by its monitor meanwhile: nothing is left frozen
                }
                throw new ContainerException("container " + id + ": kill: thaw after SIGKILL: " + e.getMessage(), e);
            }
        }
    }

    /**
     * {@link ContainerRuntime#delete}; with {@code force}, a paused container is killed and thawed first, so that
     * the SIGKILL takes effect (on v1 it would not until thawed, and the delete would wait for it in vain).
     */
    public void delete(String id, boolean force) throws IOException, ContainerException {
        if (force && paused(id)) {
            kill(id, SIGKILL);
        }
        runtime.delete(id, force);
    }

    /** The pids (in the host's pid namespace) of the processes in the container's cgroup; none once it is gone. */
    public List<Integer> ps(String id) throws IOException, ContainerException {
        runtime.state(id);
        CgroupManager cg = cgroupOf(id);
        return cg.exists() ? cg.pids() : List.of();
    }

    private static boolean live(ContainerState st) {
        return st.status().equals(ContainerState.RUNNING) || st.status().equals(ContainerState.CREATED);
    }

    private CgroupManager cgroupOf(String id) throws IOException {
        StateDir sd = new StateDir(runtime.stateRoot(), id);
        return cgroups.get().manager(StateDir.Stored.read(sd.stateJson()).cgroupsPath());
    }
}
