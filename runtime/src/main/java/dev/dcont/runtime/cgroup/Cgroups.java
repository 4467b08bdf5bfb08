package dev.dcont.runtime.cgroup;

import dev.dcont.runtime.launch.CgroupMountLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Detects the host's cgroup layout and creates the matching manager. */
public final class Cgroups {
    public static final Path ROOT = Path.of("/sys/fs/cgroup");

    private static final Set<String> NOT_CONTROLLERS = Set.of("rw", "ro", "relatime", "noatime", "nosuid", "nodev",
            "noexec", "clone_children", "nsdelegate", "memory_recursiveprot", "favordynmods");

    private final boolean unified;
    /** v2: where the hierarchy is mounted. */
    private final Path v2Root;
    /** v1: hierarchy mount point -> mount data (controllers), e.g. /sys/fs/cgroup/memory -> memory. */
    private final Map<Path, String> v1Mounts;

    private Cgroups(boolean unified, Path v2Root, Map<Path, String> v1Mounts) {
        this.unified = unified;
        this.v2Root = v2Root;
        this.v1Mounts = v1Mounts;
    }

    public static Cgroups detect() {
        if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
            return new Cgroups(true, ROOT, Map.of());
        }
        try {
            return new Cgroups(false, ROOT, parseV1Mounts(Files.readAllLines(Path.of("/proc/self/mountinfo"))));
        } catch (IOException e) {
            throw new UncheckedIOException("cgroup: cannot read /proc/self/mountinfo", e);
        }
    }

    /**
     * The cgroup v2 hierarchy mounted at {@code root}, used as a v2 host's: e.g. the controller-less unified
     * mount of a hybrid host (/sys/fs/cgroup/unified), where device filters and process membership work as on
     * v2 but no resource controller is available.
     */
    public static Cgroups unifiedAt(Path root) {
        return new Cgroups(true, root, Map.of());
    }

    static Map<Path, String> parseV1Mounts(List<String> mountinfo) {
        Map<Path, String> out = new LinkedHashMap<>();
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (post.length < 3 || !post[0].equals("cgroup")) {
                continue;
            }
            StringBuilder data = new StringBuilder();
            for (String opt : post[2].split(",")) {
                if (!NOT_CONTROLLERS.contains(opt)) {
                    data.append(data.length() == 0 ? "" : ",").append(opt);
                }
            }
            out.put(Path.of(pre[4]), data.toString());
        }
        return out;
    }

    public boolean unified() {
        return unified;
    }

    /** A manager for {@code cgroupsPath} (e.g. "/dcont/abc"), relative to the root of each hierarchy. */
    public CgroupManager manager(String cgroupsPath) {
        if (unified) {
            return new CgroupV2Manager(RealCgroupFs.INSTANCE, v2Root, cgroupsPath);
        }
        Map<String, Path> byController = new LinkedHashMap<>();
        for (Map.Entry<Path, String> e : v1Mounts.entrySet()) {
            for (String c : e.getValue().split(",")) {
                byController.putIfAbsent(c, e.getKey());
            }
        }
        return new CgroupV1Manager(RealCgroupFs.INSTANCE, byController, cgroupsPath);
    }

    /** What the container's /sys/fs/cgroup should show. */
    public CgroupMountLayout mountLayout() {
        if (unified) {
            return CgroupMountLayout.unifiedHost();
        }
        Map<String, String> h = new LinkedHashMap<>();
        for (Map.Entry<Path, String> e : v1Mounts.entrySet()) {
            Path mount = e.getKey();
            if (mount.getParent() != null && mount.getParent().equals(ROOT) && !e.getValue().isEmpty()) {
                h.put(mount.getFileName().toString(), e.getValue());
            }
        }
        return new CgroupMountLayout(false, h);
    }

    static Path under(Path root, String cgroupsPath) {
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        if (rel.isEmpty() || rel.equals("..") || rel.startsWith("../") || rel.endsWith("/..")
                || rel.contains("/../")) {
            throw new IllegalArgumentException("bad cgroupsPath " + cgroupsPath + ": a '..' component leads out"
                    + " of the cgroup root");
        }
        return root.resolve(rel);
    }

    static void removeWithRetry(CgroupFs fs, Path dir) throws IOException {
        IOException last = null;
        for (int i = 0; i < 200; i++) {
            try {
                fs.rmdir(dir);
                return;
            } catch (IOException e) {
                last = e;
                if (!fs.exists(dir)) {
                    return;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IOException("cgroup " + dir + ": cannot remove (processes still inside?): " + last.getMessage(), last);
    }

    /** How long a freeze or thaw may take before it is given up: a cgroup of many busy processes takes some ms. */
    static final long FREEZE_TIMEOUT_NANOS = 5_000_000_000L;

    /** A condition on cgroup files. */
    interface Check {
        boolean holds() throws IOException;
    }

    /**
     * Whether {@code check} holds before {@code timeoutNanos} pass, polling with growing pauses (10 us up to 10 ms):
     * the kernel gives no notice a plain file read can wait on, and most freezes complete in microseconds.
     */
    static boolean pollUntil(Check check, long timeoutNanos) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        long pause = 10_000;
        while (!check.holds()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000);
        }
        return true;
    }

    /** The content of {@code file}, or {@code absent} if it (or its cgroup) does not exist. */
    static String readOr(CgroupFs fs, Path file, String absent) throws IOException {
        try {
            return fs.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            return absent;
        }
    }

    /** The value of {@code key} in a flat keyed file such as cgroup.events ("populated 1\nfrozen 0"), or null. */
    static String keyed(String keyValueLines, String key) {
        for (String line : keyValueLines.split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                return kv[1];
            }
        }
        return null;
    }

    /** The {@code oom_kill} count of a v1 {@code memory.oom_control} or v2 {@code memory.events} file; 0 if absent. */
    static long oomKillCount(String keyValueLines) {
        String v = keyed(keyValueLines, "oom_kill");
        return v == null ? 0 : Long.parseLong(v);
    }

    static List<Integer> parsePids(String procs) {
        return procs.lines().filter(l -> !l.isBlank()).map(l -> Integer.valueOf(l.trim())).toList();
    }
}
