package dev.dcont.runtime.launch;

import static dev.dcont.runtime.launch.MountOptions.MNT_DETACH;
import static dev.dcont.runtime.launch.MountOptions.MS_BIND;
import static dev.dcont.runtime.launch.MountOptions.MS_RDONLY;
import static dev.dcont.runtime.launch.MountOptions.MS_REC;
import static dev.dcont.runtime.launch.MountOptions.MS_REMOUNT;

import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.Spec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy of the runtime: turns a spec into the ordered kernel calls of a launch, as runc's libcontainer
 * does. Order for {@code run}: private propagation of "/", the rootfs bound onto itself and opened, the spec's
 * mounts in order (binds get their flags by a read-only/nosuid/... remount), default devices and /dev symlinks
 * when /dev is a tmpfs, loopback up, pivot_root with the old root detached, masked and read-only paths,
 * readonlyRootfs, hostname, pty, cwd, rlimits, bounding set, groups/gid/uid, capabilities, ambient,
 * no_new_privs, umask, execve. The seccomp filter is loaded where runc loads it: without no_new_privs right before
 * the bounding set is dropped (loading needs CAP_SYS_ADMIN then), with it as the last step before execve.
 *
 * <p>This class plans the namespaces, the monitor's settings, pivot_root and what follows it; {@link MountPlanner}
 * the mounts and devices, {@link ProcessPlanner} the process's own steps.
 *
 * <p>Paths inside the container root are planned relative to it and not looked at here: the native stage
 * resolves each one inside the root at the moment it is used (after the mounts before it, which may have
 * changed what it leads to) and refuses one that leads out of it.
 */
public final class LaunchPlanner {
    public static final long CLONE_NEWNS = 0x00020000L, CLONE_NEWCGROUP = 0x02000000L, CLONE_NEWUTS = 0x04000000L,
            CLONE_NEWIPC = 0x08000000L, CLONE_NEWUSER = 0x10000000L, CLONE_NEWPID = 0x20000000L,
            CLONE_NEWNET = 0x40000000L;

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
     * the stage keeps the seccomp programs it built ({@code seccompCache}, null for nowhere), whether the
     * monitor relays its stdin to the container ({@code run -i}), the caller's descriptors that the process gets
     * after its stdio ({@code preservedFds}, null for none) and whether the root is entered with MS_MOVE and
     * chroot instead of pivot_root ({@code noPivot}, runc's --no-pivot).
     */
    public record MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                                  String detachLog, List<String> onExit, String sessionKeyring,
                                  DeviceFilter deviceFilter, String seccompCache, boolean stdinOpen,
                                  OciCreate oci, PreservedFds preservedFds, boolean noPivot) {
        public MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                               String detachLog, List<String> onExit) {
            this(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, null, null, null, false, null, null,
                    false);
        }

        public MonitorSettings(String stateDir, List<String> cgroupProcsFiles, List<String> cgroupDirs,
                               String detachLog) {
            this(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, List.of());
        }

        public MonitorSettings withSessionKeyring(String name) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, name, deviceFilter,
                    seccompCache, stdinOpen, oci, preservedFds, noPivot);
        }

        public MonitorSettings withDeviceFilter(DeviceFilter f) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring, f,
                    seccompCache, stdinOpen, oci, preservedFds, noPivot);
        }

        public MonitorSettings withSeccompCache(String dir) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, dir, stdinOpen, oci, preservedFds, noPivot);
        }

        public MonitorSettings withStdinOpen(boolean open) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, seccompCache, open, oci, preservedFds, noPivot);
        }

        public MonitorSettings withOci(OciCreate o) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, seccompCache, stdinOpen, o, preservedFds, noPivot);
        }

        public MonitorSettings withPreservedFds(PreservedFds fds) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, seccompCache, stdinOpen, oci, fds, noPivot);
        }

        public MonitorSettings withNoPivot(boolean no) {
            return new MonitorSettings(stateDir, cgroupProcsFiles, cgroupDirs, detachLog, onExit, sessionKeyring,
                    deviceFilter, seccompCache, stdinOpen, oci, preservedFds, no);
        }
    }

    /**
     * runc's --preserve-fds: the descriptors 3 .. 3+count-1 of the launcher (pid {@code launcherPid}, the parent
     * of the native stage) are the process's 3 .. 3+count-1.
     */
    public record PreservedFds(long launcherPid, int count) {
        public PreservedFds {
            if (count < 0) {
                throw new IllegalArgumentException("--preserve-fds must be 0 or more, not " + count);
            }
        }
    }

    /**
     * runc's create: the container's process waits on {@code execFifo} until start, with no monitor left as its
     * parent; the hooks of the spec, by when they run (createRuntime and prestart: {@code runtimeHooks}); the
     * unix socket that gets the terminal's master (null: none, and then no terminal).
     */
    public record OciCreate(String execFifo, List<Hook> runtimeHooks, List<Hook> containerHooks,
                            List<Hook> startHooks, String consoleSocket) {
        public OciCreate(String execFifo, List<Hook> runtimeHooks, List<Hook> containerHooks, List<Hook> startHooks) {
            this(execFifo, runtimeHooks, containerHooks, startHooks, null);
        }

        /**
         * runc's exec --detach: no fifo, no hooks; the monitor exits once the process has executed. A terminal's
         * master goes to {@code consoleSocket} (null: none).
         */
        public static OciCreate detachedExec(String consoleSocket) {
            return new OciCreate(null, List.of(), List.of(), List.of(), consoleSocket);
        }
    }

    /**
     * A runtime-spec hook: the state it gets on stdin is {@code statePrefix}, the container's pid and
     * {@code stateSuffix}; {@code timeout} in seconds, 0 for none.
     */
    public record Hook(String statePrefix, String stateSuffix, int timeout, String path, List<String> args,
                       List<String> env) {}

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
        new MountPlanner(cgroupLayout, newNet).planMounts(spec.mounts(), linux.devices(), sys);
        if (newNet) {
            sys.loopbackUp();
        }

        if (monitor.oci() != null) {
            // createRuntime and prestart run from the runtime while the container waits here, after its mounts;
            // createContainer in the container's namespaces, before pivot_root (runtime-spec config.md, Hooks)
            if (!monitor.oci().runtimeHooks().isEmpty()) {
                sys.hooksSync();
            }
            for (Hook h : monitor.oci().containerHooks()) {
                sys.hook("CONTAINER_HOOK", h);
            }
        }
        sys.chdir(root);
        if (monitor.noPivot()) {
            sys.moveRoot(root);
        } else {
            sys.pivotRoot(".", ".");
            sys.umount(".", MNT_DETACH);
            sys.chdir("/");
        }

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
        ProcessPlanner.plan(process, linux.seccomp(), monitor.seccompCache(), sys);
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
        ProcessPlanner.plan(process, seccomp, monitor.seccompCache(), sys);
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
        // in the foreground the caller's stdin is relayed; detached, the attach socket's clients are the input
        if (monitor.stdinOpen()) {
            sys.stdinOpen();
        }
        if (monitor.preservedFds() != null && monitor.preservedFds().count() > 0) {
            sys.preserveFds(monitor.preservedFds().launcherPid(), monitor.preservedFds().count());
        }
        if (monitor.oci() != null) {
            if (terminal != (monitor.oci().consoleSocket() != null)) {
                throw new IllegalArgumentException(terminal
                        ? "process.terminal is true: give --console-socket for the terminal's master"
                        : "--console-socket is for a process with a terminal (process.terminal true)");
            }
            if (terminal) {
                sys.consoleSocket(monitor.oci().consoleSocket());
            }
            if (monitor.detachLog() != null) {
                throw new IllegalArgumentException("a created container or detached exec has no monitor to keep a log");
            }
            if (monitor.oci().execFifo() == null) {
                sys.execDetached();
            } else {
                sys.execFifo(monitor.oci().execFifo());
            }
            for (Hook h : monitor.oci().runtimeHooks()) {
                sys.hook("RUNTIME_HOOK", h);
            }
            for (Hook h : monitor.oci().startHooks()) {
                sys.hook("START_HOOK", h);
            }
        }
    }

    static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " is missing from the spec");
        }
        return value;
    }
}
