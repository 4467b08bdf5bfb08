package dev.dcont.runtime.launch;

import static dev.dcont.runtime.launch.MountOptions.MNT_DETACH;
import static dev.dcont.runtime.launch.MountOptions.MS_BIND;
import static dev.dcont.runtime.launch.MountOptions.MS_NODEV;
import static dev.dcont.runtime.launch.MountOptions.MS_NOEXEC;
import static dev.dcont.runtime.launch.MountOptions.MS_NOSUID;
import static dev.dcont.runtime.launch.MountOptions.MS_RDONLY;
import static dev.dcont.runtime.launch.MountOptions.MS_REC;
import static dev.dcont.runtime.launch.MountOptions.MS_REMOUNT;

import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The policy of the runtime: turns a spec into the ordered kernel calls of a launch, as runc's libcontainer
 * does. Order for {@code run}: private propagation of "/", the rootfs bound onto itself, the spec's mounts in
 * order (binds get their flags by a read-only/nosuid/... remount), default devices and /dev symlinks when /dev
 * is a tmpfs, loopback up, pivot_root with the old root detached, masked and read-only paths,
 * readonlyRootfs, hostname, pty, cwd, rlimits, bounding set, groups/gid/uid, capabilities, ambient,
 * no_new_privs, umask, execve.
 */
public final class LaunchPlanner {
    public static final long CLONE_NEWNS = 0x00020000L, CLONE_NEWCGROUP = 0x02000000L, CLONE_NEWUTS = 0x04000000L,
            CLONE_NEWIPC = 0x08000000L, CLONE_NEWUSER = 0x10000000L, CLONE_NEWPID = 0x20000000L,
            CLONE_NEWNET = 0x40000000L;

    /** Devices every container gets in a tmpfs /dev: name, major, minor (char devices, mode 0666, root). */
    static final List<Object[]> DEFAULT_DEVICES = List.of(
            new Object[] {"null", 1, 3}, new Object[] {"zero", 1, 5}, new Object[] {"full", 1, 7},
            new Object[] {"random", 1, 8}, new Object[] {"urandom", 1, 9}, new Object[] {"tty", 5, 0});

    /** Namespace order of joining for exec: the mount namespace last, as it changes what paths mean. */
    private static final List<String> JOIN_ORDER = List.of("ipc", "uts", "network", "cgroup", "mount");

    private final CgroupMountLayout cgroupLayout;

    public LaunchPlanner(CgroupMountLayout cgroupLayout) {
        this.cgroupLayout = cgroupLayout;
    }

    /**
     * What the monitor does besides the spec: where it records state, which cgroup it puts the child in, whether
     * it relays its stdin to the container ({@code run -i}).
     */
    public record MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                                  String detachLog, List<String> onExit, boolean stdinOpen) {
        public MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                               String detachLog, List<String> onExit) {
            this(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, false);
        }

        public MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                               String detachLog) {
            this(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, List.of());
        }
    }

    public static long cloneFlag(String nsType) {
        return switch (nsType) {
            case "pid" -> CLONE_NEWPID;
            case "network" -> CLONE_NEWNET;
            case "mount" -> CLONE_NEWNS;
            case "ipc" -> CLONE_NEWIPC;
            case "uts" -> CLONE_NEWUTS;
            case "cgroup" -> CLONE_NEWCGROUP;
            case "user" -> CLONE_NEWUSER;
            default -> throw new IllegalArgumentException("unknown namespace type " + nsType);
        };
    }

    private static String procNsName(String nsType) {
        return switch (nsType) {
            case "network" -> "net";
            case "mount" -> "mnt";
            default -> nsType;
        };
    }

    /** Plans {@code run}: a new container from {@code spec} with its root filesystem at {@code rootfs}. */
    public void planRun(Spec spec, Path rootfs, MonitorSettings monitor, Syscalls sys) throws IOException {
        ProcessSpec process = require(spec.process(), "process");
        Linux linux = spec.linux() == null ? new Linux(List.of(), null, null, List.of(), List.of(), null) : spec.linux();
        List<Linux.Namespace> namespaces = linux.namespaces() == null ? List.of() : linux.namespaces();

        long flags = 0;
        List<Linux.Namespace> joins = new ArrayList<>();
        String joinPid = null;
        for (Linux.Namespace ns : namespaces) {
            if (ns.type().equals("user")) {
                throw new IllegalArgumentException("user namespaces are not supported yet (linux.namespaces: user)");
            }
            if (ns.path() != null && !ns.path().isEmpty()) {
                if (ns.type().equals("pid")) {
                    joinPid = ns.path();
                } else {
                    joins.add(ns);
                }
            } else {
                flags |= cloneFlag(ns.type());
            }
        }
        boolean newMountNs = (flags & CLONE_NEWNS) != 0;
        boolean newNet = (flags & CLONE_NEWNET) != 0;
        boolean hasUts = (flags & CLONE_NEWUTS) != 0;
        if (!newMountNs) {
            throw new IllegalArgumentException("a new mount namespace is required (linux.namespaces: mount)");
        }

        monitorSteps(monitor, flags, joinPid, process.isTerminal(), sys);
        for (String type : JOIN_ORDER) {
            for (Linux.Namespace ns : joins) {
                if (ns.type().equals(type)) {
                    sys.setns(ns.path(), cloneFlag(ns.type()));
                }
            }
        }

        String root = rootfs.toString();
        sys.mount("", "/", "", MountOptions.rootPropagation(linux.rootfsPropagation()), "");
        sys.mount(root, root, "", MS_BIND | MS_REC, "");

        boolean devTmpfs = false, devPts = false;
        for (Spec.Mount m : spec.mounts() == null ? List.<Spec.Mount>of() : spec.mounts()) {
            String dest = require(m.destination(), "mount destination");
            if (!dest.startsWith("/")) {
                throw new IllegalArgumentException("mount destination must be absolute: " + dest);
            }
            Path target = SecureJoin.join(rootfs, dest);
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
                sys.mkdirAll(target.toString(), 0755);
                sys.mount(m.source() == null ? type : m.source(), target.toString(), type, o.flags(), o.data());
                if (dest.equals("/dev") && type.equals("tmpfs")) {
                    devTmpfs = true;
                }
                if (dest.equals("/dev/pts") && type.equals("devpts")) {
                    devPts = true;
                }
            }
            if (o.propagation() != 0) {
                sys.mount("", target.toString(), "", o.propagation(), "");
            }
        }
        if (devTmpfs) {
            for (Object[] d : DEFAULT_DEVICES) {
                sys.mknod(root + "/dev/" + d[0], 'c', (Integer) d[1], (Integer) d[2], 0666, 0, 0);
            }
            sys.symlink("/proc/self/fd", root + "/dev/fd");
            sys.symlink("/proc/self/fd/0", root + "/dev/stdin");
            sys.symlink("/proc/self/fd/1", root + "/dev/stdout");
            sys.symlink("/proc/self/fd/2", root + "/dev/stderr");
            sys.symlink("/proc/kcore", root + "/dev/core");
            if (devPts) {
                sys.symlink("pts/ptmx", root + "/dev/ptmx");
            }
        }
        if (newNet) {
            sys.loopbackUp();
        }

        sys.chdir(root);
        sys.pivotRoot(".", ".");
        sys.umount(".", MNT_DETACH);
        sys.chdir("/");

        for (String p : linux.maskedPaths() == null ? List.<String>of() : linux.maskedPaths()) {
            sys.maskPath(p);
        }
        for (String p : linux.readonlyPaths() == null ? List.<String>of() : linux.readonlyPaths()) {
            sys.readonlyPath(p);
        }
        if (spec.root() != null && spec.root().isReadonly()) {
            sys.mount("", "/", "", MS_BIND | MS_REMOUNT | MS_RDONLY, "");
        }
        if (hasUts) {
            if (spec.hostname() != null && !spec.hostname().isEmpty()) {
                sys.sethostname(spec.hostname());
            }
            if (spec.domainname() != null && !spec.domainname().isEmpty()) {
                sys.setdomainname(spec.domainname());
            }
        } else if (spec.hostname() != null && !spec.hostname().isEmpty()) {
            throw new IllegalArgumentException("hostname needs a new uts namespace (linux.namespaces: uts)");
        }
        processSteps(process, sys);
    }

    /**
     * Plans {@code exec}: {@code process} joins the namespaces {@code namespaceTypes} of the container whose init
     * is {@code initPid}, and its cgroup (the procs files in {@code monitor}).
     */
    public void planExec(int initPid, List<String> namespaceTypes, ProcessSpec process, MonitorSettings monitor,
                         Syscalls sys) {
        String nsDir = "/proc/" + initPid + "/ns/";
        monitorSteps(monitor, 0, namespaceTypes.contains("pid") ? nsDir + "pid" : null, process.isTerminal(), sys);
        for (String type : JOIN_ORDER) {
            if (namespaceTypes.contains(type)) {
                sys.setns(nsDir + procNsName(type), cloneFlag(type));
            }
        }
        processSteps(process, sys);
    }

    private static void monitorSteps(MonitorSettings monitor, long flags, String joinPid, boolean terminal,
                                     Syscalls sys) {
        sys.namespaces(flags);
        if (joinPid != null) {
            sys.setnsPid(joinPid);
        }
        sys.stateDir(monitor.stateDir());
        if (terminal) {
            // detached too (docker run -dt): the monitor keeps what the terminal shows in the log
            sys.terminal();
        }
        if (monitor.detachLog() != null) {
            sys.detach(monitor.detachLog());
        }
        for (String f : monitor.cgroupProcsFiles()) {
            sys.cgroupJoin(f);
        }
        for (String d : monitor.cgroupDirs()) {
            sys.cgroupRemove(d);
        }
        if (!monitor.onExit().isEmpty()) {
            if (monitor.detachLog() == null) {
                throw new IllegalArgumentException("an exit command is only for detached containers");
            }
            sys.onExit(monitor.onExit());
        }
        if (monitor.stdinOpen()) {
            if (monitor.detachLog() != null) {
                throw new IllegalArgumentException("a detached container has no caller's stdin to relay");
            }
            sys.stdinOpen();
        }
    }

    private static void processSteps(ProcessSpec process, Syscalls sys) {
        List<String> args = require(process.args(), "process.args");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("process.args is empty: nothing to run");
        }
        List<String> env = process.env() == null ? List.of() : process.env();
        if (process.isTerminal()) {
            sys.openPty();
        }
        String cwd = process.cwd() == null || process.cwd().isEmpty() ? "/" : process.cwd();
        if (!cwd.startsWith("/")) {
            throw new IllegalArgumentException("process.cwd must be absolute: " + cwd);
        }
        sys.chdir(cwd);
        for (ProcessSpec.Rlimit r : process.rlimits() == null ? List.<ProcessSpec.Rlimit>of() : process.rlimits()) {
            sys.setrlimit(Rlimits.number(r.type()), r.soft(), r.hard());
        }
        ProcessSpec.Capabilities caps = process.capabilities() == null
                ? new ProcessSpec.Capabilities(List.of(), List.of(), List.of(), List.of(), List.of())
                : process.capabilities();
        ProcessSpec.User user = process.user() == null ? new ProcessSpec.User(0, 0, null, null) : process.user();
        // the bounding set is dropped while still root (needs CAP_SETPCAP)
        sys.capBounding(CapabilitySet.mask(caps.bounding()));
        sys.keepCaps(true);
        sys.setgroups(user.additionalGids() == null ? List.of() : user.additionalGids());
        sys.setgid(user.gid());
        sys.setuid(user.uid());
        sys.keepCaps(false);
        sys.capSet(CapabilitySet.mask(caps.effective()), CapabilitySet.mask(caps.permitted()),
                CapabilitySet.mask(caps.inheritable()));
        sys.capAmbient(CapabilitySet.mask(caps.ambient()));
        if (Boolean.TRUE.equals(process.noNewPrivileges())) {
            sys.noNewPrivs();
        }
        sys.umask(user.umask() == null ? 0022 : user.umask());
        sys.searchPath(pathOf(env));
        sys.exec(args.get(0), args, env);
    }

    static String pathOf(List<String> env) {
        for (String e : env) {
            if (e.startsWith("PATH=")) {
                return e.substring(5);
            }
        }
        return DEFAULT_PATH_VALUE;
    }

    static final String DEFAULT_PATH_VALUE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static void bind(String source, Path target, MountOptions o, Syscalls sys) {
        String src = require(source, "bind mount source");
        Path s = Path.of(src);
        if (Files.isDirectory(s)) {
            sys.mkdirAll(target.toString(), 0755);
        } else {
            sys.mkdirAll(target.getParent().toString(), 0755);
            sys.touch(target.toString(), 0644);
        }
        sys.mount(src, target.toString(), "", MS_BIND | (o.recursive() ? MS_REC : 0), "");
        long extra = o.flags() & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MountOptions.MS_NOATIME
                | MountOptions.MS_NODIRATIME | MountOptions.MS_RELATIME | MountOptions.MS_STRICTATIME);
        if (extra != 0) {
            sys.mount("", target.toString(), "", extra | MS_BIND | MS_REMOUNT, "");
        }
    }

    private void cgroupMount(Path target, MountOptions o, Syscalls sys) {
        String t = target.toString();
        sys.mkdirAll(t, 0755);
        if (cgroupLayout.unified()) {
            sys.mount("cgroup", t, "cgroup2", o.flags(), "");
            return;
        }
        sys.mount("tmpfs", t, "tmpfs", o.flags() & ~MS_RDONLY, "mode=755");
        for (Map.Entry<String, String> h : cgroupLayout.v1Hierarchies().entrySet()) {
            sys.mkdirAll(t + "/" + h.getKey(), 0755);
            sys.mount("cgroup", t + "/" + h.getKey(), "cgroup", o.flags(), h.getValue());
        }
        if ((o.flags() & MS_RDONLY) != 0) {
            sys.mount("tmpfs", t, "", o.flags() | MS_REMOUNT, "mode=755");
        }
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is missing from the spec");
        }
        return value;
    }
}
