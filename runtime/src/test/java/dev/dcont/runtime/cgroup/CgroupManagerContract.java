package dev.dcont.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One behaviour, two cgroup versions: every manager must pass these (containerd content/testsuite style). */
abstract class CgroupManagerContract {
    protected final String path = "/dcont-test/" + UUID.randomUUID().toString().substring(0, 8);
    private CgroupManager created;

    /** A manager for {@code cgroupsPath} on the implementation under test. */
    abstract CgroupManager manager(String cgroupsPath);

    abstract long memoryLimit(CgroupManager m) throws IOException;

    abstract String cpuQuotaAndPeriod(CgroupManager m) throws IOException;

    abstract String pidsLimit(CgroupManager m) throws IOException;

    abstract boolean fileExists(Path p);

    /** Whether the kernel's own file (v1 freezer.state, v2 cgroup.events) reports {@code m} frozen. */
    abstract boolean kernelReportsFrozen(CgroupManager m) throws IOException;

    private CgroupManager create(Linux.Resources r) throws IOException {
        created = manager(path);
        created.create(r);
        return created;
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (created != null) {
            created.destroy();
        }
        removeParent(manager("/dcont-test").directories());
    }

    /** Removes the shared test parent cgroup if it is empty (another test may still use it). */
    void removeParent(List<Path> dirs) {
        for (Path d : dirs) {
            if (fileExists(d)) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    // still in use
                }
            }
        }
    }

    @Test
    void createMakesTheCgroupWithJoinableProcsFiles() throws IOException {
        CgroupManager m = create(null);
        assertTrue(m.exists());
        assertFalse(m.directories().isEmpty());
        for (Path p : m.procsFiles()) {
            assertTrue(fileExists(p), p + " missing");
        }
        assertEquals(List.of(), m.pids());
        assertFalse(m.oomKilled());
    }

    @Test
    void memoryCpuAndPidsLimitsAreApplied() throws IOException {
        CgroupManager m = create(new Linux.Resources(new Linux.Memory(64L << 20, 64L << 20),
                Linux.Cpu.ofCpus(0.5), new Linux.Pids(20)));
        assertEquals(64L << 20, memoryLimit(m));
        assertEquals("50000 100000", cpuQuotaAndPeriod(m));
        assertEquals("20", pidsLimit(m));
    }

    @Test
    void destroyRemovesEveryDirectoryAndIsIdempotent() throws IOException {
        CgroupManager m = create(new Linux.Resources(null, null, new Linux.Pids(5)));
        m.destroy();
        assertFalse(m.exists());
        for (Path d : m.directories()) {
            assertFalse(fileExists(d), d + " still there");
        }
        m.destroy();
    }

    @Test
    void pathsThatClimbOutOfTheHierarchyAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> manager("/../../etc"));
        assertThrows(IllegalArgumentException.class, () -> manager("/"));
    }

    @Test
    void updateChangesTheLimitsItIsGivenAndKeepsTheOthers() throws IOException {
        CgroupManager m = create(new Linux.Resources(new Linux.Memory(64L << 20, 64L << 20),
                Linux.Cpu.ofCpus(0.5), new Linux.Pids(20)));
        // memory and swap both grow: on v1 the memory+swap limit must be raised before the memory limit
        m.update(new Linux.Resources(new Linux.Memory(128L << 20, 256L << 20), null, null));
        assertEquals(128L << 20, memoryLimit(m));
        assertEquals("50000 100000", cpuQuotaAndPeriod(m));
        assertEquals("20", pidsLimit(m));
        m.update(new Linux.Resources(null, new Linux.Cpu(25_000L, null, null), new Linux.Pids(40)));
        assertEquals(128L << 20, memoryLimit(m));
        assertEquals("25000 100000", cpuQuotaAndPeriod(m));
        assertEquals("40", pidsLimit(m));
        // both shrink: the memory limit must go down before memory+swap
        m.update(new Linux.Resources(new Linux.Memory(32L << 20, 48L << 20), null, new Linux.Pids(0)));
        assertEquals(32L << 20, memoryLimit(m));
        assertEquals("max", pidsLimit(m));
    }

    @Test
    void updateOfACgroupThatDoesNotExistFails() {
        CgroupManager m = manager(path);
        IOException e = assertThrows(IOException.class, () -> m.update(new Linux.Resources(null, null,
                new Linux.Pids(3))));
        assertTrue(e.getMessage().endsWith("does not exist"), e.getMessage());
    }

    @Test
    void freezeAndThawReportTheKernelsState() throws IOException {
        CgroupManager m = create(null);
        assertFalse(m.frozen());
        m.freeze();
        assertTrue(m.frozen());
        assertTrue(kernelReportsFrozen(m));
        m.freeze(); // frozen already: nothing to do
        assertTrue(m.frozen());
        m.thaw();
        assertFalse(m.frozen());
        assertFalse(kernelReportsFrozen(m));
    }

    @Test
    void aCgroupThatDoesNotExistIsNotFrozen() throws IOException {
        assertFalse(manager(path).frozen());
    }

    @Test
    void aCgroupRemovedMeanwhileHasNoProcesses() throws IOException {
        CgroupManager m = create(null);
        m.destroy();
        assertEquals(List.of(), m.pids());
    }
}
