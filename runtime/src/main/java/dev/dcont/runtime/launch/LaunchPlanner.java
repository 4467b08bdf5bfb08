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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The policy of the runtime: turns a spec into the ordered kernel calls of a launch, as runc's libcontainer
 * does. Order for {@code run}: private propagation of "/", the rootfs bound onto itself and opened, the spec's
 * mounts in order (binds get their flags by a read-only/nosuid/... remount), default devices and /dev symlinks
 * when /dev is a tmpfs, loopback up, pivot_root with the old root detached, masked and read-only paths,
 * readonlyRootfs, hostname, pty, cwd, rlimits, bounding set, groups/gid/uid, capabilities, ambient,
 * no_new_privs, umask, execve. The seccomp filter is loaded where runc loads it: without no_new_privs right before
 * the bounding set is dropped (loading needs CAP_SYS_ADMIN then), with it as the last step before execve.
 *
 * <p>Paths inside the container root are planned relative to it and not looked at here: the native stage
 * resolves each one inside the root at the moment it is used (after the mounts before it, which may have
 * changed what it leads to) and refuses one that leads out of it.
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
     * What the launch needs besides the spec: where the monitor records state, which cgroup it puts the child in,
     * the session keyring the process joins (null: the caller's stays), the device filter the monitor attaches
     * to the cgroup (null: none, e.g. on cgroup v1, where the devices controller's files hold the rules), where
     * the stage keeps the seccomp programs it built ({@code seccompCache}, null for nowhere) and whether the
     * monitor relays its stdin to the container ({@code run -i}).
     */
    public record MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                                  String detachLog, List<String> onExit, String sessionKeyring,
                                  DeviceFilter deviceFilter, String seccompCache, boolean stdinOpen) {
        public MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                               String detachLog, List<String> onExit) {
            this(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, null, null, null, false);
        }

        public MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                               String detachLog) {
            this(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, List.of());
        }

        public MonitorSettings withSessionKeyring(String name) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, name, deviceFilter,
                    seccompCache, stdinOpen);
        }

        public MonitorSettings withDeviceFilter(DeviceFilter f) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring, f,
                    seccompCache, stdinOpen);
        }

        public MonitorSettings withSeccompCache(String dir) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, dir, stdinOpen);
        }

        public MonitorSettings withStdinOpen(boolean open) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, seccompCache, open);
        }
    }

    /** A cgroup v2 device filter: see {@link Syscalls#deviceFilter}. */
    public record DeviceFilter(String cgroupDir, boolean defaultAllow, List<String> rules) {}

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
    public void planRun(Spec spec, Path rootfs, MonitorSettings monitor, Syscalls sys) {
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
        sessionKeyring(monitor, sys);

        String root = rootfs.toString();
        sys.mount("", "/", "", MountOptions.rootPropagation(linux.rootfsPropagation()), "");
        sys.mount(root, root, "", MS_BIND | MS_REC, "");
        sys.openRoot(root);

        boolean devTmpfs = false, devPts = false;
        for (Spec.Mount m : spec.mounts() == null ? List.<Spec.Mount>of() : spec.mounts()) {
            String dest = require(m.destination(), "mount destination");
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
        processSteps(process, linux.seccomp(), monitor.seccompCache(), sys);
    }

    /**
     * Plans {@code exec}: {@code process} joins the namespaces {@code namespaceTypes} of the container whose init
     * is {@code initPid}, and its cgroup (the procs files in {@code monitor}).
     */
    public void planExec(int initPid, List<String> namespaceTypes, ProcessSpec process, MonitorSettings monitor,
                         Syscalls sys) {
        planExec(initPid, namespaceTypes, process, null, monitor, sys);
    }

    /** Plans {@code exec} under the container's seccomp filter {@code seccomp} (its spec's; null for none). */
    public void planExec(int initPid, List<String> namespaceTypes, ProcessSpec process, Linux.Seccomp seccomp,
                         MonitorSettings monitor, Syscalls sys) {
        String nsDir = "/proc/" + initPid + "/ns/";
        monitorSteps(monitor, 0, namespaceTypes.contains("pid") ? nsDir + "pid" : null, process.isTerminal(), sys);
        for (String type : JOIN_ORDER) {
            if (namespaceTypes.contains(type)) {
                sys.setns(nsDir + procNsName(type), cloneFlag(type));
            }
        }
        sessionKeyring(monitor, sys);
        processSteps(process, seccomp, monitor.seccompCache(), sys);
    }

    /**
     * The process leaves the caller's session keyring first, while still root, for the container's own (runc's
     * "_ses.ID"): the keys of the session that started dcont are not the container's to read or use.
     */
    private static void sessionKeyring(MonitorSettings monitor, Syscalls sys) {
        if (monitor.sessionKeyring() != null) {
            sys.sessionKeyring(monitor.sessionKeyring());
        }
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
        if (monitor.deviceFilter() != null) {
            DeviceFilter f = monitor.deviceFilter();
            sys.deviceFilter(f.cgroupDir(), f.defaultAllow(), f.rules());
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

    private static void processSteps(ProcessSpec process, Linux.Seccomp seccomp, String seccompCache, Syscalls sys) {
        List<String> args = require(process.args(), "process.args");
        if (args.isEmpty()) {
            throw new IllegalArgumentException("process.args is empty: nothing to run");
        }
        boolean noNewPrivs = Boolean.TRUE.equals(process.noNewPrivileges());
        SeccompFilter filter = seccomp == null ? null : SeccompFilter.compile(seccomp, noNewPrivs, seccompCache);
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
        if (filter != null && !noNewPrivs) {
            // runc's place without no_new_privs: loading needs CAP_SYS_ADMIN, so before anything is dropped; the
            // filter must then allow what follows (prctl, setgroups, setres[ug]id, capset, close_range, execve)
            sys.seccomp(filter);
        }
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
        if (noNewPrivs) {
            sys.noNewPrivs();
        }
        sys.umask(user.umask() == null ? 0022 : user.umask());
        sys.searchPath(pathOf(env));
        if (filter != null && noNewPrivs) {
            sys.seccomp(filter); // built here, loaded by EXEC right before execve (runc's place with no_new_privs)
        }
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
        String src = require(source, "bind mount source");
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

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is missing from the spec");
        }
        return value;
    }
}
