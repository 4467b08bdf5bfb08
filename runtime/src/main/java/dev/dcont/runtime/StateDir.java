package dev.dcont.runtime;

import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that knows a container's state directory, {@code <stateRoot>/<id>/}:
 * {@code state.json} (written by Java: id, bundle, cgroup, namespaces), {@code plan} (the native plan),
 * and, written by the monitor {@code dcont-init}: {@code pid} (container init), {@code monitor.pid},
 * {@code started} (after execve), {@code exit} (exit code, 128+N for a signal), {@code error} (setup failure).
 * Exec sessions get {@code exec-<n>/} subdirectories with the same monitor files. A container made by runc's
 * create (no monitor stays) has {@code exec.fifo} until it is started, {@code start-time} and maybe
 * {@code hooks.json}.
 */
final class StateDir {
    /**
     * What Java records at creation; {@code rootfs} is the root's real path, {@code createdNanos} the time of the
     * creation in nanoseconds since the epoch (0: not recorded), {@code noNewKeyring} runc's --no-new-keyring,
     * which the container's execs follow too.
     */
    record Stored(String ociVersion, String id, String bundle, Map<String, String> annotations, String cgroupsPath,
                  List<String> cgroupDirs, List<String> cgroupProcs, List<String> namespaces, boolean detached,
                  String rootfs, long createdNanos, boolean noNewKeyring) {

        Stored(String ociVersion, String id, String bundle, Map<String, String> annotations, String cgroupsPath,
               List<String> cgroupDirs, List<String> cgroupProcs, List<String> namespaces, boolean detached) {
            this(ociVersion, id, bundle, annotations, cgroupsPath, cgroupDirs, cgroupProcs, namespaces, detached, null,
                    0, false);
        }

        // written and read on every start: as maps (SpecMaps says why)
        void write(Path file) throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ociVersion", ociVersion);
            m.put("id", id);
            m.put("bundle", bundle);
            if (annotations != null) {
                m.put("annotations", annotations);
            }
            m.put("cgroupsPath", cgroupsPath);
            m.put("cgroupDirs", cgroupDirs);
            m.put("cgroupProcs", cgroupProcs);
            m.put("namespaces", namespaces);
            m.put("detached", detached);
            if (rootfs != null) {
                m.put("rootfs", rootfs);
            }
            m.put("created", createdNanos);
            if (noNewKeyring) {
                m.put("noNewKeyring", true);
            }
            SpecMaps.writeObject(file, m);
        }

        static Stored read(Path file) throws IOException {
            Map<String, Object> m = SpecMaps.readObject(file);
            try {
                return new Stored(SpecMaps.str(m.get("ociVersion")), SpecMaps.str(m.get("id")),
                        SpecMaps.str(m.get("bundle")), SpecMaps.stringMap(m.get("annotations")),
                        SpecMaps.str(m.get("cgroupsPath")), SpecMaps.strings(m.get("cgroupDirs")),
                        SpecMaps.strings(m.get("cgroupProcs")), SpecMaps.strings(m.get("namespaces")),
                        Boolean.TRUE.equals(m.get("detached")), SpecMaps.str(m.get("rootfs")),
                        SpecMaps.lng(m.get("created"), 0), Boolean.TRUE.equals(m.get("noNewKeyring")));
            } catch (ClassCastException e) {
                throw new IOException(file + ": not a container's state: " + e.getMessage(), e);
            }
        }
    }

    final Path dir;

    StateDir(Path stateRoot, String id) {
        if (!validId(id)) {
            throw new IllegalArgumentException("bad container id '" + id + "': use letters, digits, _ . - (max 128)");
        }
        this.dir = stateRoot.resolve(id);
    }

    /** {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,127}}, checked by hand: java.util.regex would be set up on every start for one check. */
    static boolean validId(String id) {
        if (id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int k = 0; k < id.length(); k++) {
            char c = id.charAt(k);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (k == 0 || (c != '_' && c != '.' && c != '-'))) {
                return false;
            }
        }
        return true;
    }

    Path stateJson() { return dir.resolve("state.json"); }
    Path plan() { return dir.resolve("plan"); }

    /**
     * Where the native stage keeps the seccomp programs it built: in the state root, which only root may write,
     * under a name no container id can have (ids start with a letter or digit).
     */
    static String seccompCache(Path stateRoot) {
        return stateRoot.toAbsolutePath().resolve(".seccomp").toString();
    }
    Path pidFile() { return dir.resolve("pid"); }
    Path monitorPidFile() { return dir.resolve("monitor.pid"); }
    Path startedFile() { return dir.resolve("started"); }
    Path exitFile() { return dir.resolve("exit"); }
    Path errorFile() { return dir.resolve("error"); }
    /** runc's create: the fifo the container's process waits on until start (oci.c). */
    Path execFifo() { return dir.resolve("exec.fifo"); }
    /** runc's create: the init's start time (/proc/PID/stat field 22), which tells it from a later process of its pid. */
    Path startTimeFile() { return dir.resolve("start-time"); }
    /** runc's create: the hooks the runtime runs itself later (poststart, poststop). */
    Path hooksFile() { return dir.resolve("hooks.json"); }

    /** Field 22 of /proc/PID/stat (start time in clock ticks since boot), or -1 if the process is gone. */
    static long startTime(int pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state)
            if (f[0].equals("Z") || f[0].equals("X")) {
                return -1;
            }
            return Long.parseLong(f[19]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static int readInt(Path f) throws IOException {
        try {
            return Integer.parseInt(Files.readString(f).trim());
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    static long readLong(Path f) throws IOException {
        try {
            return Long.parseLong(Files.readString(f).trim());
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    static String readOrNull(Path f) throws IOException {
        try {
            return Files.readString(f).trim();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // a DirectoryStream, not Files.list: the stream pipeline's classes would load on every start
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(p)) {
                for (Path c : s) {
                    children.add(c);
                }
            }
            for (Path c : children) {
                deleteTree(c);
            }
        }
        Files.deleteIfExists(p);
    }

    /** The parent pid field of /proc/pid/stat, or -1 if the process is gone. */
    static int parentOf(int pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String rest = stat.substring(stat.lastIndexOf(')') + 2);
            String[] f = rest.split(" ");
            if (f[0].equals("Z") || f[0].equals("X")) {
                return -1;
            }
            return Integer.parseInt(f[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether {@code pid} still executes dcont-init (not yet exec'd into the container's process). */
    static boolean runsStage(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().startsWith("/memfd:dcont-init");
        } catch (IOException e) {
            return false;
        }
    }

    static boolean alive(int pid) {
        return parentOf(pid) >= 0;
    }
}
