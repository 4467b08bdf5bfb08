package dev.dcont.runtime.launch;

import java.util.List;

/**
 * The seam between policy and kernel. Each call is one step that the native stage carries out, in the order
 * issued. Monitor steps ({@link #namespaces}, {@link #cgroupJoin}, ...) configure the process outside the
 * container; the other steps run in the child, in order, after it was cloned into its namespaces.
 */
public interface Syscalls {
    // ---- monitor (outside the container)
    /** clone(2) flags for the container process. */
    void namespaces(long cloneFlags);

    /** Enter an existing pid namespace before forking (exec). */
    void setnsPid(String nsPath);

    /** Directory where the monitor records pid, monitor.pid, started, exit and error. */
    void stateDir(String dir);

    /** Allocate a pty inside the container and relay it to the caller's stdio. */
    void terminal();

    /** Detach: double fork, setsid, stdout/stderr to {@code logFile}. */
    void detach(String logFile);

    /** The monitor writes the child's pid into this cgroup.procs file before releasing it. */
    void cgroupJoin(String procsFile);

    /** The monitor removes this cgroup directory after the container ended (reverse order of calls). */
    void cgroupRemove(String dir);

    /**
     * A detached monitor starts this command (absolute path first), in a session of its own with
     * stdio on /dev/null, once the exit code is recorded and the cgroups are gone; it does not wait for it.
     */
    void onExit(java.util.List<String> argv);

    /**
     * The monitor attaches a device filter (a BPF program) to this cgroup v2 directory before it releases the
     * child: devices not named by {@code rules} ("allow c 1:3 rwm", "deny b *:* m", the last match deciding for
     * each access) are allowed when {@code defaultAllow}, else denied.
     */
    void deviceFilter(String cgroupDir, boolean defaultAllow, List<String> rules);

    // ---- child (inside the container's namespaces), in order
    /**
     * A mount by path: {@code target} is a host path before {@code pivotRoot} (the root and its propagation), or
     * a path of the container after it. Targets inside the container root before pivot_root go through
     * {@link #mountInRoot}.
     */
    void mount(String source, String target, String fstype, long flags, String data);

    /**
     * Make the directory {@code path} (relative to the root of {@link #openRoot}) and what is missing on the way,
     * resolved inside the root when the step runs.
     */
    void mkdirAll(String path, int mode);

    /** Make an empty file at {@code path} (relative to the root) unless something is there, and its directories. */
    void touch(String path, int mode);

    /** A device node at {@code path} (relative to the root), made in the directory it resolves to there. */
    void mknod(String path, char type, int major, int minor, int mode, long uid, long gid);

    /** A symlink at {@code link} (relative to the root) to {@code target}, made in the directory it resolves to. */
    void symlink(String target, String link);

    /** Change to {@code path}, absolute; refused when it passes through a /proc magic link. */
    void chdir(String path);

    void pivotRoot(String newRoot, String putOld);

    void umount(String target, int flags);

    /** Hide a path: an empty read-only tmpfs over a directory, /dev/null over a file; absent paths are skipped. */
    void maskPath(String path);

    /** Bind a path over itself read-only (and nosuid, nodev, noexec); absent paths are skipped. */
    void readonlyPath(String path);

    void sethostname(String name);

    void setdomainname(String name);

    void loopbackUp();

    void setns(String nsPath, long nsType);

    void setrlimit(int resource, long soft, long hard);

    void keepCaps(boolean keep);

    void setgroups(List<Long> gids);

    void setgid(long gid);

    void setuid(long uid);

    /** Drop every capability not in {@code mask} from the bounding set. */
    void capBounding(long mask);

    void capSet(long effective, long permitted, long inheritable);

    void capAmbient(long mask);

    void noNewPrivs();

    void umask(int mask);

    /** Open a pty from the container's /dev/ptmx, hand the master to the monitor, make the slave stdio. */
    void openPty();

    /** PATH used to find {@code file} when it contains no slash. */
    void searchPath(String path);

    /** Close every fd but 0-2, reset signals, check the cwd and execve. */
    void exec(String file, List<String> args, List<String> env);

    /** Join the session keyring {@code name}, making it (searchable by its owner) when there is none. */
    void sessionKeyring(String name);

    /**
     * Open the container root, a host path (after it is bound onto itself): the paths of {@link #mountInRoot},
     * {@link #mkdirAll}, {@link #touch}, {@link #mknod} and {@link #symlink} are relative to it until pivot_root.
     */
    void openRoot(String path);

    /**
     * A mount onto {@code target}, relative to the root of {@link #openRoot}: resolved inside that root when the
     * step runs (after the mounts before it), refused when it leads out of it, and mounted through its descriptor.
     */
    void mountInRoot(String source, String target, String fstype, long flags, String data);

    /**
     * Build the seccomp filter with libseccomp and load it: here, or with {@code filter.atExec()} right before
     * execve. Loading without no_new_privs needs CAP_SYS_ADMIN, so it comes before the capabilities are dropped.
     */
    void seccomp(SeccompFilter filter);

    /**
     * Monitor: relay the caller's stdin into the container's stdin pipe until its end (without it, and
     * without a terminal, the container's stdin is an empty pipe).
     */
    void stdinOpen();

    /**
     * Monitor: runc's create (see oci.c): the child waits on the fifo {@code path} before execve; the monitor
     * exits once the child waits.
     */
    void execFifo(String path);

    /** Child: wait here while the monitor runs the RUNTIME_HOOK steps. */
    void hooksSync();

    /** A runtime-spec hook: {@code step} is RUNTIME_HOOK, CONTAINER_HOOK or START_HOOK (see oci.c). */
    void hook(String step, LaunchPlanner.Hook hook);

    /** Monitor: runc's exec --detach: no relay, the caller's stdio; exit once the process has executed. */
    void execDetached();

    /** Monitor: runc's --console-socket: the terminal's master goes to the unix socket at {@code path}. */
    void consoleSocket(String path);

    /**
     * Monitor: runc's --preserve-fds: the descriptors 3 .. 3+count-1 of the launcher {@code launcherPid} (the
     * stage's parent) become the process's 3 .. 3+count-1 at execve.
     */
    void preserveFds(long launcherPid, int count);

    /**
     * Child, instead of {@link #pivotRoot}: runc's --no-pivot: the host's full proc and sysfs mounts detached,
     * {@code rootfs} (a host path, the working directory) moved onto "/" and entered with chroot.
     */
    void moveRoot(String rootfs);
}
