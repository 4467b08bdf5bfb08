package dev.dcont.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.dcont.runtime.ContainerRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What a root test of one container starts from: a busybox bundle, a runtime with a state root of the test's own
 * and a container ID of its own; and the check afterwards that nothing of them is left.
 */
public final class ContainerFixture {
    public final BusyboxBundle bundle;
    public final ContainerRuntime rt;
    public final String id;

    private ContainerFixture(BusyboxBundle bundle, ContainerRuntime rt, String id) {
        this.bundle = bundle;
        this.rt = rt;
        this.id = id;
    }

    /** For {@code what} (the test, said when it cannot run), in {@code tmp}; the ID starts with {@code idPrefix}. */
    public static ContainerFixture create(String what, Path tmp, String idPrefix) throws Exception {
        RootOnly.require(what);
        return new ContainerFixture(BusyboxBundle.create(tmp.resolve("bundle")),
                new ContainerRuntime(tmp.resolve("state")), idPrefix + UUID.randomUUID().toString().substring(0, 8));
    }

    /**
     * Deletes the test's container if it is still there, then checks that no cgroup of the bundle's and no mount of
     * its root is left, and removes the bundle's cgroup parent.
     */
    public void assertNothingLeft() throws Exception {
        if (rt.list().contains(id)) {
            rt.delete(id, true);
        }
        assertEquals(List.of(), bundle.cgroups.children(), "cgroup of " + id + " left behind");
        bundle.cgroups.close();
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertFalse(mounts.contains(bundle.rootfs.toString()), "mount of the rootfs left behind");
    }
}
