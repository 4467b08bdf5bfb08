package dev.dcont.runtime.spec;

import java.util.List;

/** {@code linux} of the runtime spec: namespaces, cgroup resources, masked and read-only paths. */
public record Linux(
        List<Namespace> namespaces,
        Resources resources,
        String cgroupsPath,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        String rootfsPropagation) {

    public Linux withNamespaces(List<Namespace> n) {
        return new Linux(n, resources, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation);
    }

    public Linux withResources(Resources r) {
        return new Linux(namespaces, r, cgroupsPath, maskedPaths, readonlyPaths, rootfsPropagation);
    }

    public Linux withCgroupsPath(String p) {
        return new Linux(namespaces, resources, p, maskedPaths, readonlyPaths, rootfsPropagation);
    }

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
