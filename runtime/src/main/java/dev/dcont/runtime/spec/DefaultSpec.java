package dev.dcont.runtime.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Docker's default runtime spec (moby {@code oci/defaults.go} plus the daemon's defaults): the 14 default
 * capabilities, /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup, masked and read-only paths,
 * {@code RLIMIT_NOFILE} 1048576, pid/ipc/uts/mount/network/cgroup namespaces, no_new_privs off (Docker's default),
 * Docker's device rules and a PATH. The CLI fills in args, env, cwd, user, hostname and resources from the image
 * config and flags.
 */
public final class DefaultSpec {
    public static final String OCI_VERSION = "1.0.2";
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** Docker's default capability set (moby {@code caps.DefaultCapabilities()}). */
    public static final List<String> DOCKER_CAPABILITIES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    public static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/devices/virtual/powercap");

    public static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /**
     * The device rules a Docker container's cgroup gets (dockerd's spec plus what runc appends to every spec):
     * everything denied, then mknod of any device node, and use of null zero full random urandom tty console
     * ptmx, the pty terminals and tun.
     */
    public static final List<Linux.DeviceRule> DOCKER_DEVICES = List.of(
            new Linux.DeviceRule(false, "a", null, null, "rwm"),
            new Linux.DeviceRule(true, "c", null, null, "m"),
            new Linux.DeviceRule(true, "b", null, null, "m"),
            charDevice(1, 3), charDevice(1, 5), charDevice(1, 7), charDevice(1, 8), charDevice(1, 9),
            charDevice(5, 0), charDevice(5, 1), charDevice(5, 2),
            new Linux.DeviceRule(true, "c", 136L, null, "rwm"),
            charDevice(10, 200));

    private DefaultSpec() {}

    private static Linux.DeviceRule charDevice(long major, long minor) {
        return new Linux.DeviceRule(true, "c", major, minor, "rwm");
    }

    /**
     * Docker's defaults for a process running {@code args} as root in "/", with its own network namespace
     * (loopback only, {@code --network none}) unless {@code hostNetwork}.
     */
    public static Spec docker(List<String> args, boolean hostNetwork) {
        List<Spec.Mount> mounts = List.of(
                new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Spec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Spec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Spec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev/shm", "tmpfs", "shm",
                        List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        List<Linux.Namespace> ns = new ArrayList<>();
        for (String t : List.of("pid", "ipc", "uts", "mount", "cgroup")) {
            ns.add(Linux.Namespace.of(t));
        }
        if (!hostNetwork) {
            ns.add(Linux.Namespace.of("network"));
        }
        ProcessSpec process = new ProcessSpec(
                false,
                new ProcessSpec.User(0, 0, null, null),
                List.copyOf(args),
                List.of(DEFAULT_PATH),
                "/",
                ProcessSpec.Capabilities.of(DOCKER_CAPABILITIES),
                List.of(new ProcessSpec.Rlimit("RLIMIT_NOFILE", 1048576, 1048576)),
                false);
        Linux linux = new Linux(List.copyOf(ns), new Linux.Resources(null, null, null, DOCKER_DEVICES), null,
                MASKED_PATHS, READONLY_PATHS, null);
        return new Spec(OCI_VERSION, new Spec.Root("rootfs", false), process, null, null, mounts, linux,
                new LinkedHashMap<>());
    }
}
