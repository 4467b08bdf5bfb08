package dev.dcont.runtime.launch;

import java.util.Map;

/**
 * How to mount {@code /sys/fs/cgroup} inside a container on this host: cgroup2 when {@code unified}, otherwise a
 * tmpfs with one cgroup v1 mount per host hierarchy ({@code dirName -> mount data}, e.g. "memory" -> "memory").
 */
public record CgroupMountLayout(boolean unified, Map<String, String> v1Hierarchies) {
    public static CgroupMountLayout unifiedHost() {
        return new CgroupMountLayout(true, Map.of());
    }
}
