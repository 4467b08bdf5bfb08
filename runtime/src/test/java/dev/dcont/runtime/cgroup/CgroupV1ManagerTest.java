package dev.dcont.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.DefaultSpec;
import dev.dcont.runtime.spec.Linux;
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

    @Override
    boolean kernelReportsFrozen(CgroupManager m) throws IOException {
        return m.read("freezer.state").equals("FROZEN");
    }

    @Test
    void devicesControllerGetsTheSpecsRules() throws IOException {
        CgroupManager m = manager(path);
        try {
            m.create(new Linux.Resources(null, null, null, List.of(
                    new Linux.DeviceRule(false, "a", null, null, "rwm"),
                    new Linux.DeviceRule(true, "c", 4L, 1L, "rw"),
                    new Linux.DeviceRule(true, "b", 7L, null, "r"))));
            List<String> list = devicesList(m);
            assertTrue(list.contains("c 4:1 rw"), list.toString());
            assertTrue(list.contains("b 7:* r"), list.toString());
            assertTrue(list.contains("c 1:3 rwm"), list.toString()); // a device the runtime makes
            assertFalse(list.contains("a *:* rwm"), list.toString());
            assertFalse(list.contains("c *:* m"), list.toString());
        } finally {
            m.destroy();
        }
    }

    @Test
    void devicesControllerWithDockersRules() throws IOException {
        CgroupManager m = manager(path);
        try {
            m.create(new Linux.Resources(null, null, null, DefaultSpec.DOCKER_DEVICES));
            List<String> list = devicesList(m);
            for (String rule : List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 5:1 rwm", "c 136:* rwm", "c 10:200 rwm")) {
                assertTrue(list.contains(rule), rule + " missing from " + list);
            }
            assertFalse(list.contains("a *:* rwm"), list.toString());
            assertFalse(list.contains("b 8:0 rwm"), list.toString());
        } finally {
            m.destroy();
        }
    }

    @Test
    void devicesControllerWithAllDevicesAllowedButSome() throws IOException {
        CgroupManager m = manager(path);
        try {
            m.create(new Linux.Resources(null, null, null, List.of(new Linux.DeviceRule(true, "a", null, null, "rwm"),
                    new Linux.DeviceRule(false, "c", 1L, 11L, "rwm"))));
            // in allow-all mode devices.list shows "a *:* rwm" alone; the denial is an exception it does not list
            assertEquals(List.of("a *:* rwm"), devicesList(m));
        } finally {
            m.destroy();
        }
    }

    private static List<String> devicesList(CgroupManager m) throws IOException {
        Path devices = m.directories().stream().filter(d -> d.toString().contains("/devices/")).findFirst()
                .orElseThrow();
        return Files.readAllLines(devices.resolve("devices.list"));
    }
}
