package dev.dcont.runtime.launch;

import static dev.dcont.runtime.launch.MountOptions.MS_BIND;
import static dev.dcont.runtime.launch.MountOptions.MS_NODEV;
import static dev.dcont.runtime.launch.MountOptions.MS_NOEXEC;
import static dev.dcont.runtime.launch.MountOptions.MS_NOSUID;
import static dev.dcont.runtime.launch.MountOptions.MS_RDONLY;
import static dev.dcont.runtime.launch.MountOptions.MS_REC;
import static dev.dcont.runtime.launch.MountOptions.MS_REMOUNT;

import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The mounts of a {@code run}, once the root is bound onto itself and opened: the spec's mounts in order (binds
 * get their flags by a read-only/nosuid/... remount, cgroup mounts the host's layout), then the default devices
 * and /dev symlinks when /dev is a tmpfs. Targets stay relative to the root, for the stage to resolve inside it.
 */
final class MountPlanner {
    /** Devices every container gets in a tmpfs /dev: name, major, minor (char devices, mode 0666, root). */
    static final List<Object[]> DEFAULT_DEVICES = List.of(
            new Object[] {"null", 1, 3}, new Object[] {"zero", 1, 5}, new Object[] {"full", 1, 7},
            new Object[] {"random", 1, 8}, new Object[] {"urandom", 1, 9}, new Object[] {"tty", 5, 0});

    private final CgroupMountLayout cgroupLayout;
    private final boolean newNet;

    MountPlanner(CgroupMountLayout cgroupLayout, boolean newNet) {
        this.cgroupLayout = cgroupLayout;
        this.newNet = newNet;
    }

    void planMounts(List<Spec.Mount> mounts, List<Linux.Device> devices, Syscalls sys) {
        boolean devTmpfs = false, devPts = false;
        for (Spec.Mount m : mounts == null ? List.<Spec.Mount>of() : mounts) {
            String dest = LaunchPlanner.require(m.destination(), "mount destination");
            String target = inRoot(dest);
            MountOptions o = MountOptions.parse(m.options());
            String type = m.type() == null ? "" : m.type();
            if (o.bind() || type.equals("bind")) {
                bind(m.source(), target, o, sys);
            } else if (type.equals("cgroup") || type.equals("cgroup2")) {
                cgroupMount(target, o, sys);
            } else if (type.equals("sysfs") && !newNet) {
                // sysfs of another network namespace cannot be mounted: bind the host's, read-only
                bind("/sys", target, new MountOptions(o.flags() | MS_RDONLY, 0, 0, "", true, true), sys);
            } else {
                sys.mkdirAll(target, 0755);
                sys.mountInRoot(m.source() == null ? type : m.source(), target, type, o.flags(), o.data());
                if (dest.equals("/dev") && type.equals("tmpfs")) {
                    devTmpfs = true;
                }
                if (dest.equals("/dev/pts") && type.equals("devpts")) {
                    devPts = true;
                }
            }
            if (o.propagation() != 0) {
                sys.mountInRoot("", target, "", o.propagation(), "");
            }
        }
        if (devTmpfs) {
            for (Object[] d : DEFAULT_DEVICES) {
                sys.mknod("dev/" + d[0], 'c', (Integer) d[1], (Integer) d[2], 0666, 0, 0);
            }
            sys.symlink("/proc/self/fd", "dev/fd");
            sys.symlink("/proc/self/fd/0", "dev/stdin");
            sys.symlink("/proc/self/fd/1", "dev/stdout");
            sys.symlink("/proc/self/fd/2", "dev/stderr");
            sys.symlink("/proc/kcore", "dev/core");
            if (devPts) {
                sys.symlink("pts/ptmx", "dev/ptmx");
            }
        }
        planDevices(devices, sys);
    }

    /**
     * linux.devices, as runc makes them: each node at its path (inside the root, its directories made on the way),
     * except the default ones, which are there already when /dev is a tmpfs.
     */
    private static void planDevices(List<Linux.Device> devices, Syscalls sys) {
        for (Linux.Device d : devices == null ? List.<Linux.Device>of() : devices) {
            String path = LaunchPlanner.require(d.path(), "device path");
            if (!path.startsWith("/dev/") || path.contains("/../") || path.endsWith("/..")) {
                throw new IllegalArgumentException("device path " + path + ": must be absolute under /dev");
            }
            String type = d.type() == null ? "" : d.type();
            if (!type.equals("c") && !type.equals("b") && !type.equals("u")) {
                throw new IllegalArgumentException("device " + path + ": type '" + type + "' is not supported (c, b or u)");
            }
            if (isDefault(path)) {
                continue;
            }
            String target = inRoot(path);
            int slash = target.lastIndexOf('/');
            sys.mkdirAll(target.substring(0, slash), 0755);
            sys.mknod(target, type.equals("u") ? 'c' : type.charAt(0), (int) d.major(), (int) d.minor(),
                    d.fileMode() == null ? 0666 : d.fileMode() & 07777, d.uid() == null ? 0 : d.uid(),
                    d.gid() == null ? 0 : d.gid());
        }
    }

    private static boolean isDefault(String path) {
        for (Object[] d : DEFAULT_DEVICES) {
            if (path.equals("/dev/" + d[0])) {
                return true;
            }
        }
        return path.equals("/dev/ptmx") || path.equals("/dev/console");
    }

    /**
     * A mount destination as the plan carries it: relative to the container root, as written (symlinks and
     * ".." are the stage's to resolve inside the root when the mount is made, after the mounts before it).
     */
    static String inRoot(String destination) {
        if (!destination.startsWith("/")) {
            throw new IllegalArgumentException("mount destination must be absolute: " + destination);
        }
        int i = 0;
        while (i < destination.length() && destination.charAt(i) == '/') {
            i++;
        }
        if (i == destination.length()) {
            throw new IllegalArgumentException("mount destination must not be the root: " + destination);
        }
        return destination.substring(i);
    }

    private static void bind(String source, String target, MountOptions o, Syscalls sys) {
        String src = LaunchPlanner.require(source, "bind mount source");
        if (Files.isDirectory(Path.of(src))) {
            sys.mkdirAll(target, 0755);
        } else {
            sys.touch(target, 0644);
        }
        sys.mountInRoot(src, target, "", MS_BIND | (o.recursive() ? MS_REC : 0), "");
        long extra = o.flags() & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MountOptions.MS_NOATIME
                | MountOptions.MS_NODIRATIME | MountOptions.MS_RELATIME | MountOptions.MS_STRICTATIME);
        if (extra != 0) {
            // resolved again by the stage: the remount applies to the bind just made there
            sys.mountInRoot("", target, "", extra | MS_BIND | MS_REMOUNT, "");
        }
    }

    private void cgroupMount(String t, MountOptions o, Syscalls sys) {
        sys.mkdirAll(t, 0755);
        if (cgroupLayout.unified()) {
            sys.mountInRoot("cgroup", t, "cgroup2", o.flags(), "");
            return;
        }
        sys.mountInRoot("tmpfs", t, "tmpfs", o.flags() & ~MS_RDONLY, "mode=755");
        for (Map.Entry<String, String> h : cgroupLayout.v1Hierarchies().entrySet()) {
            sys.mkdirAll(t + "/" + h.getKey(), 0755);
            sys.mountInRoot("cgroup", t + "/" + h.getKey(), "cgroup", o.flags(), h.getValue());
        }
        if ((o.flags() & MS_RDONLY) != 0) {
            sys.mountInRoot("tmpfs", t, "", o.flags() | MS_REMOUNT, "mode=755");
        }
    }
}
