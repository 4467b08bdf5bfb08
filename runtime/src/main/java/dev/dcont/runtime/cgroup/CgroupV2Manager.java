package dev.dcont.runtime.cgroup;

import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** cgroup v2: one directory; controllers enabled down the tree through cgroup.subtree_control. */
public final class CgroupV2Manager implements CgroupManager {
    private static final List<String> CONTROLLERS = List.of("cpu", "memory", "pids");

    private final CgroupFs fs;
    private final Path root;
    private final Path dir;

    public CgroupV2Manager(CgroupFs fs, Path root, String cgroupsPath) {
        this.fs = fs;
        this.root = root;
        this.dir = Cgroups.under(root, cgroupsPath);
    }

    @Override
    public void create(Linux.Resources r) throws IOException {
        List<Path> chain = new ArrayList<>();
        for (Path p = dir; !p.equals(root); p = p.getParent()) {
            chain.add(0, p);
        }
        Path parent = root;
        for (Path p : chain) {
            enableControllers(parent);
            fs.mkdir(p);
            parent = p;
        }
        apply(r);
    }

    @Override
    public void update(Linux.Resources r) throws IOException {
        if (!exists()) {
            throw new IOException("cgroup " + dir + ": does not exist");
        }
        apply(r);
    }

    /** Writes the memory, CPU and pids limits of {@code r} (null: none) that are given; the rest stays. */
    private void apply(Linux.Resources r) throws IOException {
        if (r == null) {
            return;
        }
        if (r.memory() != null) {
            Long limit = r.memory().limit();
            Long swap = r.memory().swap();
            if (limit != null) {
                fs.write(dir.resolve("memory.max"), max(limit));
            }
            if (swap != null && fs.exists(dir.resolve("memory.swap.max"))) {
                long memory = limit != null ? limit : current(dir.resolve("memory.max"));
                // the spec's swap is memory+swap; v2 limits swap alone
                String v = swap < 0 || memory < 0 ? max(swap) : Long.toString(Math.max(0, swap - memory));
                fs.write(dir.resolve("memory.swap.max"), v);
            }
        }
        if (r.cpu() != null && (r.cpu().quota() != null || r.cpu().period() != null)) {
            // cpu.max holds both: what is not given keeps its value ("max 100000" in a new cgroup)
            // (without the cpu controller there is no cpu.max: the write below says so)
            String[] now = Cgroups.readOr(fs, dir.resolve("cpu.max"), "max 100000").trim().split(" ");
            String quota = r.cpu().quota() == null ? now[0] : r.cpu().quota() < 0 ? "max" : Long.toString(r.cpu().quota());
            String period = r.cpu().period() == null ? now[1] : Long.toString(r.cpu().period());
            fs.write(dir.resolve("cpu.max"), quota + " " + period);
        }
        if (r.cpu() != null && r.cpu().shares() != null && r.cpu().shares() > 0) {
            fs.write(dir.resolve("cpu.weight"), Long.toString(weight(r.cpu().shares())));
        }
        if (r.pids() != null) {
            fs.write(dir.resolve("pids.max"), r.pids().limit() <= 0 ? "max" : Long.toString(r.pids().limit()));
        }
    }

    /**
     * v1's cpu.shares (2 to 262144, 1024 the default) as v2's cpu.weight (1 to 10000, 100 the default), mapped
     * linearly as runc and crun map it, so that a spec means the same share on either version.
     */
    static long weight(long shares) {
        long s = Math.max(2, Math.min(262_144, shares));
        return 1 + ((s - 2) * 9999) / 262_142;
    }

    /** A limit file's value, -1 for "max". */
    private long current(Path file) throws IOException {
        String v = fs.read(file).trim();
        return v.equals("max") ? -1 : Long.parseLong(v);
    }

    @Override
    public void freeze() throws IOException {
        Path freeze = freezeFile();
        fs.write(freeze, "1");
        if (!Cgroups.pollUntil(this::frozen, Cgroups.FREEZE_TIMEOUT_NANOS)) {
            fs.write(freeze, "0");
            throw new IOException("cgroup " + dir + ": not frozen after " + Cgroups.FREEZE_TIMEOUT_NANOS / 1_000_000_000L
                    + " s (a process would not stop); thawed it");
        }
    }

    @Override
    public void thaw() throws IOException {
        fs.write(freezeFile(), "0");
        if (!Cgroups.pollUntil(() -> !frozen(), Cgroups.FREEZE_TIMEOUT_NANOS)) {
            throw new IOException("cgroup " + dir + ": still frozen after " + Cgroups.FREEZE_TIMEOUT_NANOS / 1_000_000_000L
                    + " s");
        }
    }

    private Path freezeFile() throws IOException {
        Path freeze = dir.resolve("cgroup.freeze");
        if (!fs.exists(freeze)) {
            throw new IOException("cgroup " + dir + ": no cgroup.freeze (the v2 freezer needs Linux 5.2 or later)");
        }
        return freeze;
    }

    /** cgroup.events' "frozen 1": the kernel's word that every process of the cgroup has stopped. */
    @Override
    public boolean frozen() throws IOException {
        // a cgroup that is gone (its processes ended and its monitor removed it) is not frozen
        return "1".equals(Cgroups.keyed(Cgroups.readOr(fs, dir.resolve("cgroup.events"), ""), "frozen"));
    }

    private void enableControllers(Path parent) throws IOException {
        String available = fs.read(parent.resolve("cgroup.controllers"));
        String enabled = fs.read(parent.resolve("cgroup.subtree_control"));
        StringBuilder add = new StringBuilder();
        for (String c : CONTROLLERS) {
            if (hasWord(available, c) && !hasWord(enabled, c)) {
                add.append(add.length() == 0 ? "" : " ").append('+').append(c);
            }
        }
        if (add.length() > 0) {
            fs.write(parent.resolve("cgroup.subtree_control"), add.toString());
        }
    }

    private static boolean hasWord(String s, String w) {
        for (String x : s.trim().split("\\s+")) {
            if (x.equals(w)) {
                return true;
            }
        }
        return false;
    }

    private static String max(long v) {
        return v < 0 ? "max" : Long.toString(v);
    }

    @Override
    public List<Path> procsFiles() {
        return List.of(dir.resolve("cgroup.procs"));
    }

    @Override
    public List<Path> directories() {
        return List.of(dir);
    }

    @Override
    public Path deviceFilterCgroup() {
        return dir;
    }

    @Override
    public boolean exists() {
        return fs.exists(dir);
    }

    @Override
    public List<Integer> pids() throws IOException {
        // a cgroup removed meanwhile (by the container's monitor) has no processes
        return Cgroups.parsePids(Cgroups.readOr(fs, dir.resolve("cgroup.procs"), ""));
    }

    @Override
    public boolean oomKilled() throws IOException {
        Path events = dir.resolve("memory.events");
        if (!fs.exists(events)) {
            return false;
        }
        return Cgroups.oomKillCount(fs.read(events)) > 0;
    }

    @Override
    public void destroy() throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        Path kill = dir.resolve("cgroup.kill");
        if (fs.exists(kill) && !pids().isEmpty()) {
            fs.write(kill, "1");
        }
        Cgroups.removeWithRetry(fs, dir);
    }

    @Override
    public String read(String file) throws IOException {
        return fs.read(dir.resolve(file)).trim();
    }
}
