package dev.dcont.runtime.cgroup;

import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1: one directory per hierarchy (memory, cpu, cpuacct, pids, devices, freezer). The devices controller
 * gets the spec's device rules ({@link DeviceRules}; Docker's list by default), so CAP_MKNOD inside the container
 * cannot open host disks.
 */
public final class CgroupV1Manager implements CgroupManager {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids", "devices", "freezer");

    private final CgroupFs fs;
    private final Map<String, Path> mounts;
    private final String cgroupsPath;

    /** {@code mounts}: controller name -> hierarchy mount point (cpu and cpuacct may share one). */
    public CgroupV1Manager(CgroupFs fs, Map<String, Path> mounts, String cgroupsPath) {
        this.fs = fs;
        this.mounts = mounts;
        this.cgroupsPath = cgroupsPath;
        Cgroups.under(Path.of("/"), cgroupsPath);
    }

    private Path dir(String controller) {
        Path m = mounts.get(controller);
        return m == null ? null : Cgroups.under(m, cgroupsPath);
    }

    @Override
    public List<Path> directories() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String c : CONTROLLERS) {
            Path d = dir(c);
            if (d != null) {
                dirs.add(d);
            }
        }
        return new ArrayList<>(dirs);
    }

    @Override
    public List<Path> procsFiles() {
        List<Path> out = new ArrayList<>();
        for (Path d : directories()) {
            out.add(d.resolve("cgroup.procs"));
        }
        return out;
    }

    @Override
    public void create(Linux.Resources r) throws IOException {
        DeviceRules deviceRules = DeviceRules.of(r);
        for (Path d : directories()) {
            Path mount = null;
            for (Path m : mounts.values()) {
                if (d.startsWith(m)) {
                    mount = m;
                }
            }
            List<Path> chain = new ArrayList<>();
            for (Path p = d; !p.equals(mount); p = p.getParent()) {
                chain.add(0, p);
            }
            for (Path p : chain) {
                fs.mkdir(p);
            }
        }
        Path devices = dir("devices");
        if (devices != null) {
            // "a" resets the list: everything allowed or denied; each rule after it adds or takes away its access
            fs.write(devices.resolve(deviceRules.defaultAllow() ? "devices.allow" : "devices.deny"), "a");
            for (DeviceRules.Rule rule : deviceRules.rules()) {
                fs.write(devices.resolve(rule.allow() ? "devices.allow" : "devices.deny"), rule.body());
            }
        }
        apply(r);
    }

    @Override
    public void update(Linux.Resources r) throws IOException {
        if (!exists()) {
            throw new IOException("cgroup " + cgroupsPath + ": does not exist");
        }
        apply(r);
    }

    /** Writes the memory, CPU and pids limits of {@code r} (null: none) that are given; the rest stays. */
    private void apply(Linux.Resources r) throws IOException {
        if (r == null) {
            return;
        }
        Path mem = dir("memory");
        if (r.memory() != null && mem != null) {
            Long limit = r.memory().limit();
            Long swap = r.memory().swap();
            Path memsw = mem.resolve("memory.memsw.limit_in_bytes");
            boolean hasMemsw = swap != null && fs.exists(memsw);
            // the kernel keeps memsw >= limit at every step: memsw goes first when it grows (or becomes
            // unlimited), last when it shrinks
            boolean swapFirst = hasMemsw && (swap < 0 || swap > Long.parseLong(fs.read(memsw).trim()));
            if (swapFirst) {
                fs.write(memsw, swap < 0 ? "-1" : Long.toString(swap));
            }
            if (limit != null) {
                fs.write(mem.resolve("memory.limit_in_bytes"), Long.toString(limit));
            }
            if (hasMemsw && !swapFirst) {
                fs.write(memsw, Long.toString(swap));
            }
        }
        Path cpu = dir("cpu");
        if (r.cpu() != null && cpu != null) {
            if (r.cpu().period() != null) {
                fs.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(r.cpu().period()));
            }
            if (r.cpu().quota() != null) {
                fs.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(r.cpu().quota()));
            }
            if (r.cpu().shares() != null) {
                fs.write(cpu.resolve("cpu.shares"), Long.toString(r.cpu().shares()));
            }
        }
        Path pids = dir("pids");
        if (r.pids() != null && pids != null) {
            fs.write(pids.resolve("pids.max"), r.pids().limit() <= 0 ? "max" : Long.toString(r.pids().limit()));
        }
    }

    /** freezer.state, which reads FREEZING until every task has stopped. */
    private Path freezerState() throws IOException {
        Path d = dir("freezer");
        if (d == null) {
            throw new IOException("cgroup " + cgroupsPath + ": the host has no freezer hierarchy to pause it with");
        }
        return d.resolve("freezer.state");
    }

    @Override
    public void freeze() throws IOException {
        Path state = freezerState();
        fs.write(state, "FROZEN");
        if (!Cgroups.pollUntil(() -> fs.read(state).trim().equals("FROZEN"), Cgroups.FREEZE_TIMEOUT_NANOS)) {
            // a task stuck where it cannot be frozen would leave the cgroup half frozen: undo, as runc does
            fs.write(state, "THAWED");
            throw new IOException("cgroup " + cgroupsPath + ": not frozen after "
                    + Cgroups.FREEZE_TIMEOUT_NANOS / 1_000_000_000L + " s (a process would not stop); thawed it");
        }
    }

    @Override
    public void thaw() throws IOException {
        Path state = freezerState();
        fs.write(state, "THAWED");
        // a thawed cgroup whose processes were killed may be removed by the container's monitor meanwhile
        if (!Cgroups.pollUntil(() -> Cgroups.readOr(fs, state, "THAWED").trim().equals("THAWED"),
                Cgroups.FREEZE_TIMEOUT_NANOS)) {
            throw new IOException("cgroup " + cgroupsPath + ": still frozen after "
                    + Cgroups.FREEZE_TIMEOUT_NANOS / 1_000_000_000L + " s");
        }
    }

    @Override
    public boolean frozen() throws IOException {
        Path d = dir("freezer");
        return d != null && Cgroups.readOr(fs, d.resolve("freezer.state"), "").trim().equals("FROZEN");
    }

    @Override
    public boolean exists() {
        for (Path d : directories()) {
            if (fs.exists(d)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<Integer> pids() throws IOException {
        Set<Integer> out = new LinkedHashSet<>();
        for (Path d : directories()) {
            // a cgroup removed meanwhile (by the container's monitor) has no processes
            out.addAll(Cgroups.parsePids(Cgroups.readOr(fs, d.resolve("cgroup.procs"), "")));
        }
        return new ArrayList<>(out);
    }

    @Override
    public boolean oomKilled() throws IOException {
        Path mem = dir("memory");
        if (mem == null || !fs.exists(mem.resolve("memory.oom_control"))) {
            return false;
        }
        return Cgroups.oomKillCount(fs.read(mem.resolve("memory.oom_control"))) > 0;
    }

    @Override
    public void destroy() throws IOException {
        List<Path> dirs = directories();
        for (int i = dirs.size() - 1; i >= 0; i--) {
            if (fs.exists(dirs.get(i))) {
                Cgroups.removeWithRetry(fs, dirs.get(i));
            }
        }
    }

    @Override
    public String read(String file) throws IOException {
        String controller = file.substring(0, file.indexOf('.'));
        if (controller.equals("cgroup")) {
            controller = "memory";
        }
        Path d = dir(controller);
        if (d == null) {
            throw new IOException("cgroup: no " + controller + " hierarchy for " + file);
        }
        return fs.read(d.resolve(file)).trim();
    }
}
