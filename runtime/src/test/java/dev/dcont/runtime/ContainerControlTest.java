package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an update's resources file, as runc's {@code update --resources} takes it. */
class ContainerControlTest {
    @TempDir Path tmp;

    private Path file(String json) throws Exception {
        return Files.writeString(tmp.resolve("r.json"), json);
    }

    @Test
    void whatContainerdSendsIsReadWithItsZeroValuesKeepingTheLimitsInPlace() throws Exception {
        Linux.Resources r = ContainerControl.readResources(file("""
                {"devices":[{"allow":false,"access":"rwm"}],
                 "memory":{"limit":134217728,"reservation":0,"swap":0,"kernel":0,"swappiness":null},
                 "cpu":{"shares":1024,"quota":50000,"period":100000,"cpus":"","mems":""},
                 "pids":{"limit":0},"blockIO":{},"hugepageLimits":[]}"""));
        assertEquals(new Linux.Resources(new Linux.Memory(134217728L, null), new Linux.Cpu(50000L, 100000L, 1024L),
                null), r);
        assertEquals(new Linux.Resources(new Linux.Memory(null, -1L), null, new Linux.Pids(-1)),
                ContainerControl.readResources(file("{\"memory\":{\"swap\":-1},\"pids\":{\"limit\":-1}}")));
    }

    @Test
    void whatCannotBeUpdatedIsRefusedNotIgnored() throws Exception {
        for (String[] c : new String[][] {{"{\"memory\":{\"reservation\":1048576}}", "memory.reservation"},
                {"{\"cpu\":{\"cpus\":\"0-1\"}}", "cpu.cpus"},
                {"{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1}]}", "hugepageLimits"},
                {"{\"blockIO\":{\"weight\":10}}", "blockIO"}}) {
            Path f = file(c[0]);
            ContainerException e = assertThrows(ContainerException.class, () -> ContainerControl.readResources(f));
            assertEquals(f + ": resources: " + c[1] + " cannot be updated (memory.limit, memory.swap, cpu.shares,"
                    + " cpu.quota, cpu.period and pids.limit can)", e.getMessage());
        }
    }

    @Test
    void aFileThatIsNotAResourcesObjectIsRefusedInOneLine() throws Exception {
        Path f = file("{\"memory\":5}");
        ContainerException e = assertThrows(ContainerException.class, () -> ContainerControl.readResources(f));
        assertTrue(e.getMessage().startsWith(f + ": not a resources object: memory must be an object"),
                e.getMessage());
        Path g = file("{\"pids\":{\"limit\":1.5}}");
        assertThrows(ContainerException.class, () -> ContainerControl.readResources(g));
    }
}
