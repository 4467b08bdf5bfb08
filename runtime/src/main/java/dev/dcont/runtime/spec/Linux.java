package dev.dcont.runtime.spec;

import java.util.List;

/**
 * {@code linux} of the runtime spec: namespaces, cgroup resources, masked and read-only paths, seccomp, and the
 * device nodes to make in the container's /dev beyond the default ones.
 */
public record Linux(
        List<Namespace> namespaces,
        Resources resources,
        String cgroupsPath,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String rootfsPropagation,
        Seccomp seccomp,
        List<Device> devices) {

    /** Without extra devices. */
    public Linux(List<Namespace> namespaces, Resources resources, String cgroupsPath, List<String> maskedPaths,
                 List<String> readonlyPaths, String rootfsPropagation, Seccomp seccomp) {
        this(namespaces, resources, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation, seccomp, null);
    }

    /** Without a seccomp filter or extra devices. */
    public Linux(List<Namespace> namespaces, Resources resources, String cgroupsPath, List<String> maskedPaths,
                 List<String> readonlyPaths, String rootfsPropagation) {
        this(namespaces, resources, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation, null, null);
    }

    public Linux withNamespaces(List<Namespace> n) {
        return new Linux(n, resources, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation, seccomp, devices);
    }

    public Linux withResources(Resources r) {
        return new Linux(namespaces, r, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation, seccomp, devices);
    }

    public Linux withCgroupsPath(String p) {
        return new Linux(namespaces, resources, p, maskedPaths, readonlyPaths, rootfsPropagation, seccomp, devices);
    }

    public Linux withSeccomp(Seccomp s) {
        return new Linux(namespaces, resources, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation, s, devices);
    }

    public Linux withDevices(List<Device> d) {
        return new Linux(namespaces, resources, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation, seccomp, d);
    }

    /**
     * {@code linux.devices[]}: a node to make at {@code path} (absolute, under /dev), {@code type} c, b, u or p,
     * with {@code fileMode} (permission bits; 0666 when absent), owned by {@code uid}:{@code gid} (root when
     * absent).
     */
    public record Device(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {}

    /**
     * {@code linux.seccomp}: the action for every system call no rule matches ({@code SCMP_ACT_ERRNO} with
     * {@code defaultErrnoRet}, ...), the architectures the filter covers ({@code SCMP_ARCH_X86_64}, ...), the
     * filter flags ({@code SECCOMP_FILTER_FLAG_LOG}, ...; null means the runtime's default) and the rules.
     */
    public record Seccomp(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
                          List<String> flags, List<Syscall> syscalls) {}

    /** One rule: these system calls get {@code action} (with {@code errnoRet} for an errno) when all args match. */
    public record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {}

    /** Argument {@code index} compared by {@code op} ({@code SCMP_CMP_EQ}, {@code SCMP_CMP_MASKED_EQ}, ...). */
    public record Arg(int index, long value, long valueTwo, String op) {}

    /** One namespace: {@code type} is pid, network, mount, ipc, uts, cgroup or user; {@code path} joins an existing one. */
    public record Namespace(String type, String path) {
        public static Namespace of(String type) {
            return new Namespace(type, null);
        }
    }

    /**
     * Cgroup resources. {@code devices} is the device allow-list in order, the last matching rule deciding (null:
     * none given; see {@code cgroup.DeviceRules} for what the runtime adds).
     */
    public record Resources(Memory memory, Cpu cpu, Pids pids, List<DeviceRule> devices) {
        public Resources(Memory memory, Cpu cpu, Pids pids) {
            this(memory, cpu, pids, null);
        }

        public Resources withDevices(List<DeviceRule> d) {
            return new Resources(memory, cpu, pids, d);
        }
    }

    /**
     * One rule of {@code linux.resources.devices}: {@code type} a (all, also when null), c or b; {@code major} and
     * {@code minor} null for any; {@code access} a combination of r, w and m (null: all three).
     */
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {}

    /** Bytes; {@code swap} is memory plus swap, as in the spec (and Docker's --memory-swap); -1 is unlimited. */
    public record Memory(Long limit, Long swap) {}

    /** CFS quota and period in microseconds. */
    public record Cpu(Long quota, Long period, Long shares) {
        /** Docker's {@code --cpus 1.5}: period 100ms, quota 150ms. */
        public static Cpu ofCpus(double cpus) {
            if (!(cpus > 0)) {
                throw new IllegalArgumentException("cpus must be positive, got " + cpus);
            }
            long period = 100_000;
            return new Cpu(Math.round(cpus * period), period, null);
        }
    }

    public record Pids(long limit) {}
}
