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
}
