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
                // the spec's swap is memory+swap; v2 limits swap alone
                String v = swap < 0 || limit == null || limit < 0 ? max(swap) : Long.toString(Math.max(0, swap - limit));
                fs.write(dir.resolve("memory.swap.max"), v);
            }
        }
        if (r.cpu() != null && (r.cpu().quota() != null || r.cpu().period() != null)) {
            long period = r.cpu().period() == null ? 100_000 : r.cpu().period();
            String quota = r.cpu().quota() == null || r.cpu().quota() < 0 ? "max" : Long.toString(r.cpu().quota());
            fs.write(dir.resolve("cpu.max"), quota + " " + period);
        }
        if (r.pids() != null) {
            fs.write(dir.resolve("pids.max"), r.pids().limit() <= 0 ? "max" : Long.toString(r.pids().limit()));
        }
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
        return Cgroups.parsePids(fs.read(dir.resolve("cgroup.procs")));
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
