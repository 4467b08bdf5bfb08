package dev.dcont.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.testing.RootOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cgroup v1 on the real kernel (root). On a pure v2 host there is no v1 hierarchy to test against. */
class CgroupV1ManagerTest extends CgroupManagerContract {
    private Cgroups host;

    @BeforeEach
    void needsRootAndV1() {
        RootOnly.require("cgroup v1 manager test");
        host = Cgroups.detect();
        if (host.unified()) {
            org.junit.jupiter.api.Assumptions.abort("host is cgroup v2 only: no v1 hierarchy (v2 runs for real in"
                    + " the container root tests there)");
        }
    }

    @Override
    CgroupManager manager(String cgroupsPath) {
        return host.manager(cgroupsPath);
    }

    @Override
    long memoryLimit(CgroupManager m) throws IOException {
        return Long.parseLong(m.read("memory.limit_in_bytes"));
    }

    @Override
    String cpuQuotaAndPeriod(CgroupManager m) throws IOException {
        return m.read("cpu.cfs_quota_us") + " " + m.read("cpu.cfs_period_us");
    }

    @Override
    String pidsLimit(CgroupManager m) throws IOException {
        return m.read("pids.max");
    }

    @Override
    boolean fileExists(Path p) {
        return Files.exists(p);
    }

    @Test
    void devicesControllerAllowsOnlyDockersDefaultDevices() throws IOException {
        CgroupManager m = manager(path);
        try {
            m.create(null);
            Path devices = m.directories().stream().filter(d -> d.toString().contains("/devices/")).findFirst()
                    .orElseThrow();
            List<String> list = Files.readAllLines(devices.resolve("devices.list"));
            assertTrue(list.contains("c 1:3 rwm"), list.toString());
            assertTrue(list.contains("c 136:* rwm"), list.toString());
            assertTrue(!list.contains("a *:* rwm"), list.toString());
            assertTrue(!list.contains("b 8:0 rwm"), list.toString());
        } finally {
            m.destroy();
        }
    }
}
