package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What runc's pause, resume, update and ps do to an existing container, through its cgroup: the freezer (v1
 * freezer.state, v2 cgroup.freeze), the resource limits, the list of its processes. The container is found as
 * {@link ContainerRuntime} finds it: its state directory under the state root names its cgroup. Being paused is
 * not recorded anywhere: the kernel's freezer state is the truth, so a container paused by another tool shows as
 * paused too, and one thawed behind dcont's back does not stay "paused".
 */
public final class ContainerControl {
    /** The runtime spec's status of a container whose processes are frozen. */
    public static final String PAUSED = ContainerState.PAUSED;

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

    /** Whether the container's cgroup is frozen ({@link ContainerRuntime#state} says so). */
    public boolean paused(String id) throws IOException, ContainerException {
        return state(id).status().equals(PAUSED);
    }

    private ContainerState state(String id) throws IOException, ContainerException {
        return runtime.state(id);
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
     * The resources of a {@code runc update --resources} file ({@code /dev/stdin} for "-"): the spec's
     * {@code linux.resources} object, of which memory limit and swap, cpu shares, quota and period and the pids limit
     * are applied; 0 keeps the value in place, as runc reads an update. {@code devices} is left alone, as runc's update
     * leaves it; any other member that asks for something (not null, 0 or empty) is refused with one line, rather
     * than silently not applied.
     */
    public static Linux.Resources readResources(Path file) throws IOException, ContainerException {
        Map<String, Object> r;
        try {
            r = SpecMaps.readObject(file);
            Map<String, Object> mem = member(file, r, "memory", Set.of("limit", "swap"));
            Map<String, Object> cpu = member(file, r, "cpu", Set.of("shares", "quota", "period"));
            Map<String, Object> pids = member(file, r, "pids", Set.of("limit"));
            for (Map.Entry<String, Object> e : r.entrySet()) {
                if (!Set.of("memory", "cpu", "pids", "devices").contains(e.getKey()) && asks(e.getValue())) {
                    throw new ContainerException(unsupported(file, e.getKey()));
                }
            }
            return new Linux.Resources(
                    mem == null ? null : new Linux.Memory(given(mem.get("limit")), given(mem.get("swap"))),
                    cpu == null ? null : new Linux.Cpu(given(cpu.get("quota")), given(cpu.get("period")),
                            given(cpu.get("shares"))),
                    pids == null || given(pids.get("limit")) == null ? null
                            : new Linux.Pids(SpecMaps.lng(pids.get("limit"), 0)));
        } catch (ClassCastException | ArithmeticException e) {
            throw new ContainerException(file + ": not a resources object: " + e.getMessage(), e);
        }
    }

    /** Member {@code name} of {@code r}, refusing what it asks for beyond {@code applied}. */
    private static Map<String, Object> member(Path file, Map<String, Object> r, String name, Set<String> applied)
            throws ContainerException {
        Map<String, Object> m = SpecMaps.obj(r.get(name), name);
        if (m != null) {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (!applied.contains(e.getKey()) && asks(e.getValue())) {
                    throw new ContainerException(unsupported(file, name + "." + e.getKey()));
                }
            }
        }
        return m;
    }

    private static String unsupported(Path file, String member) {
        return file + ": resources: " + member + " cannot be updated (memory.limit, "
                + "memory.swap, cpu.shares, cpu.quota, cpu.period and pids.limit can)";
    }

    /** Whether a member's value asks for anything: containerd sends zero values of what it does not set. */
    private static boolean asks(Object v) {
        if (v == null || Boolean.FALSE.equals(v) || "".equals(v)) {
            return false;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(ContainerControl::asks);
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        return true;
    }

    /** A limit to set, or null to keep the one in place: 0 is "not given" in an update, as runc reads it. */
    private static Long given(Object o) {
        long v = SpecMaps.lng(o, 0);
        return v == 0 ? null : v;
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
