package dev.dcont.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** cgroup v2 against the fake cgroupfs (this machine is v1 hybrid; a v2 host also runs the real root tests). */
class CgroupV2ManagerTest extends CgroupManagerContract {
    private final FakeCgroupV2Fs fs = new FakeCgroupV2Fs(Path.of("/sys/fs/cgroup"), "cpuset cpu io memory pids");

    @Override
    CgroupManager manager(String cgroupsPath) {
        return new CgroupV2Manager(fs, fs.root, cgroupsPath);
    }

    @Override
    long memoryLimit(CgroupManager m) throws IOException {
        return Long.parseLong(m.read("memory.max"));
    }

    @Override
    String cpuQuotaAndPeriod(CgroupManager m) throws IOException {
        return m.read("cpu.max");
    }

    @Override
    String pidsLimit(CgroupManager m) throws IOException {
        return m.read("pids.max");
    }

    @Override
    boolean fileExists(Path p) {
        return fs.exists(p);
    }

    @Override
    boolean kernelReportsFrozen(CgroupManager m) throws IOException {
        return m.read("cgroup.events").contains("frozen 1");
    }

    @Override
    void removeParent(java.util.List<Path> dirs) {
        // the fake tree goes away with the test instance
    }

    @Test
    void controllersAreDelegatedDownEveryLevel() throws IOException {
        manager(path).create(null);
        for (String level : new String[] {"", "dcont-test"}) {
            String enabled = fs.read(fs.root.resolve(level).resolve("cgroup.subtree_control"));
            assertEquals("cpu memory pids", enabled, level);
        }
    }

    @Test
    void swapLimitIsTheSpecsMemoryPlusSwapMinusMemory() throws IOException {
        CgroupManager m = manager(path);
        m.create(new Linux.Resources(new Linux.Memory(100L, 300L), null, null));
        assertEquals("200", m.read("memory.swap.max"));
        CgroupManager u = manager(path + "u");
        u.create(new Linux.Resources(new Linux.Memory(100L, -1L), new Linux.Cpu(-1L, 50_000L, null), null));
        assertEquals("max", u.read("memory.swap.max"));
        assertEquals("max 50000", u.read("cpu.max"));
    }

    @Test
    void oomKillIsReadFromMemoryEvents() throws IOException {
        CgroupManager m = manager(path);
        m.create(null);
        fs.files.put(fs.root.resolve(path.substring(1)).resolve("memory.events"), "oom 1\noom_kill 1\n");
        assertTrue(m.oomKilled());
    }

    @Test
    void destroyKillsRemainingProcessesThroughCgroupKill() throws IOException {
        CgroupManager m = manager(path);
        m.create(null);
        fs.write(m.procsFiles().get(0), "4242");
        assertEquals(java.util.List.of(4242), m.pids());
        m.destroy();
        assertTrue(!m.exists());
    }

    @Test
    void aControllerTheHostDoesNotHaveIsNotEnabled() throws IOException {
        FakeCgroupV2Fs small = new FakeCgroupV2Fs(Path.of("/cg"), "memory");
        CgroupManager m = new CgroupV2Manager(small, small.root, "/a");
        m.create(new Linux.Resources(new Linux.Memory(1L << 20, null), null, null));
        assertEquals("memory", small.read(small.root.resolve("cgroup.subtree_control")));
        CgroupManager p = new CgroupV2Manager(small, small.root, "/b");
        assertThrows(IOException.class, () -> p.create(new Linux.Resources(null, null, new Linux.Pids(3))));
    }

    @Test
    void updateOfSwapAloneIsMeasuredFromTheMemoryLimitInPlace() throws IOException {
        CgroupManager m = manager(path);
        m.create(new Linux.Resources(new Linux.Memory(100L, 300L), null, null));
        m.update(new Linux.Resources(new Linux.Memory(null, 500L), null, null));
        assertEquals("100", m.read("memory.max"));
        assertEquals("400", m.read("memory.swap.max"));
        m.update(new Linux.Resources(new Linux.Memory(null, -1L), new Linux.Cpu(null, 20_000L, null), null));
        assertEquals("max", m.read("memory.swap.max"));
        assertEquals("max 20000", m.read("cpu.max"));
    }

    @Test
    void cpuSharesBecomeTheWeightRuncGives() throws IOException {
        CgroupManager m = manager(path);
        m.create(new Linux.Resources(null, new Linux.Cpu(null, null, 1024L), null));
        assertEquals("39", m.read("cpu.weight"));
        m.update(new Linux.Resources(null, new Linux.Cpu(null, null, 262_144L), null));
        assertEquals("10000", m.read("cpu.weight"));
        m.update(new Linux.Resources(null, new Linux.Cpu(null, null, 2L), null));
        assertEquals("1", m.read("cpu.weight"));
    }

    @Test
    void freezingWithoutTheV2FreezerSaysWhatIsMissing() throws IOException {
        CgroupManager m = manager(path);
        m.create(null);
        fs.files.remove(fs.root.resolve(path.substring(1)).resolve("cgroup.freeze"));
        IOException e = assertThrows(IOException.class, m::freeze);
        assertTrue(e.getMessage().endsWith("no cgroup.freeze (the v2 freezer needs Linux 5.2 or later)"),
                e.getMessage());
    }
}
