package dev.dcont.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.dcont.runtime.ContainerRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root test of containers: each test gets a busybox bundle, a runtime with a state root of its own and a
 * container ID of its own, and afterwards the check that nothing of them is left (the test's container deleted
 * if it is still there, no cgroup of the bundle's, no mount of its root).
 */
public abstract class ContainerRootTest {
    private final String what;
    private final String idPrefix;

    @TempDir protected Path tmp;
    protected BusyboxBundle bundle;
    protected ContainerRuntime rt;
    protected String id;

    /** {@code what}: the test, said when it cannot run; the container ID starts with {@code idPrefix}. */
    protected ContainerRootTest(String what, String idPrefix) {
        this.what = what;
        this.idPrefix = idPrefix;
    }

    @BeforeEach
    void makeBundle() throws Exception {
        RootOnly.require(what);
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        rt = new ContainerRuntime(tmp.resolve("state"));
        id = idPrefix + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void nothingLeft() throws Exception {
        if (rt == null) {
            return;
        }
        if (rt.list().contains(id)) {
            rt.delete(id, true);
        }
        assertEquals(List.of(), bundle.cgroups.children(), "cgroup of " + id + " left behind");
        bundle.cgroups.close();
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(bundle.rootfs.toString()), "mount of the rootfs left behind");
    }
}
