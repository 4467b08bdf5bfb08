package dev.dcont.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CgroupsTest {
    @Test
    void aCgroupPathStaysUnderTheHierarchysRoot() {
        Path root = Path.of("/sys/fs/cgroup/memory");
        assertEquals(root.resolve("ci/job/abc"), Cgroups.under(root, "/ci/job/abc"));
        assertEquals(root.resolve("a..b/abc"), Cgroups.under(root, "a..b/abc"), "dots inside a name are a name");
        for (String bad : List.of("..", "../x", "/a/../../x", "a/..", "")) {
            assertThrows(IllegalArgumentException.class, () -> Cgroups.under(root, bad), bad);
        }
    }

    @Test
    void mountinfoParsingFindsEachHierarchyAndItsControllers() {
        Map<Path, String> m = Cgroups.parseV1Mounts(List.of(
                "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
                "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"));
        assertEquals("memory", m.get(Path.of("/sys/fs/cgroup/memory")));
        assertEquals("cpu,cpuacct", m.get(Path.of("/sys/fs/cgroup/cpu,cpuacct")));
        assertEquals("xattr,name=systemd", m.get(Path.of("/sys/fs/cgroup/systemd")));
        assertEquals(3, m.size());
    }
}
