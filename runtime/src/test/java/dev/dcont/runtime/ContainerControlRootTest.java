package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.cgroup.Cgroups;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.Spec;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.RootOnly;
import dev.dcont.testkit.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pause, resume, update and ps of a real detached busybox container (root), on the host's cgroups. */
class ContainerControlRootTest {
    @TempDir Path tmp;
    private BusyboxBundle bundle;
    private ContainerRuntime rt;
    private ContainerControl control;
    private String id;

    @BeforeEach
    void setUp() throws Exception {
        RootOnly.require("container control root test");
        bundle = BusyboxBundle.create(tmp.resolve("bundle"));
        rt = new ContainerRuntime(tmp.resolve("state"));
        control = new ContainerControl(rt);
        id = "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void noLeftovers() throws Exception {
        if (rt == null) {
            return;
        }
        if (rt.list().contains(id)) {
            if (control.paused(id)) {
                control.resume(id);
            }
            rt.delete(id, true);
        }
        Poll.until("the container's cgroup to go", Duration.ofSeconds(10), () -> bundle.cgroups.children().isEmpty());
        bundle.cgroups.close();
    }

    @Test
    void pauseResumeUpdateAndPsOfARunningContainer() throws Exception {
        Spec spec = BusyboxBundle.defaultSpec("sleep", "1000");
        bundle.write(spec.withLinux(spec.linux().withResources(
                new Linux.Resources(new Linux.Memory(64L << 20, null), null, new Linux.Pids(30)))));
        ContainerState st = rt.start(bundle.dir, id, tmp.resolve("log"));
        assertEquals(ContainerState.RUNNING, rt.state(id).status());
        assertEquals(List.of(st.pid()), control.ps(id));

        control.pause(id);
        assertTrue(control.paused(id));
        ContainerState paused = rt.state(id);
        assertEquals(ContainerControl.PAUSED, paused.status());
        assertEquals(st.pid(), paused.pid());
        ContainerException again = assertThrows(ContainerException.class, () -> control.pause(id));
        assertEquals("container " + id + ": cannot pause, it is paused (only a running or created container can be"
                + " paused)", again.getMessage());
        assertEquals(List.of(st.pid()), control.ps(id));

        control.resume(id);
        assertEquals(ContainerState.RUNNING, rt.state(id).status());
        ContainerException notPaused = assertThrows(ContainerException.class, () -> control.resume(id));
        assertEquals("container " + id + ": cannot resume, it is running, not paused", notPaused.getMessage());

        control.update(id, new Linux.Resources(new Linux.Memory(96L << 20, null), null, new Linux.Pids(50)));
        Cgroups host = Cgroups.detect();
        CgroupManager cg = host.manager(bundle.cgroups.pathOf("c1"));
        assertEquals(Long.toString(96L << 20), cg.read(host.unified() ? "memory.max" : "memory.limit_in_bytes"));
        assertEquals("50", cg.read("pids.max"));

        rt.kill(id, 9);
        Poll.until("the container to stop", Duration.ofSeconds(10),
                () -> rt.state(id).status().equals(ContainerState.STOPPED));
        ContainerException stopped = assertThrows(ContainerException.class, () -> control.pause(id));
        assertEquals("container " + id + ": cannot pause, it is stopped (only a running or created container can be"
                + " paused)", stopped.getMessage());
        assertThrows(ContainerException.class, () -> control.update(id, new Linux.Resources(null, null,
                new Linux.Pids(5))));
        Poll.until("the cgroup of the stopped container to go", Duration.ofSeconds(10),
                () -> control.ps(id).isEmpty());
    }

    @Test
    void aPausedContainerIsKilledAndDeletedWithForce() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        rt.start(bundle.dir, id, tmp.resolve("log"));
        control.pause(id);
        rt.kill(id, 9);
        Poll.until("the killed paused container to stop", Duration.ofSeconds(5),
                () -> rt.state(id).status().equals(ContainerState.STOPPED));
        assertEquals(137, rt.exitCode(id).getAsInt());
        rt.delete(id, false);

        rt.start(bundle.dir, id, tmp.resolve("log2"));
        control.pause(id);
        rt.delete(id, true);
        assertEquals(List.of(), rt.list());
    }

    @Test
    void anUnknownContainerIsRefused() {
        ContainerException e = assertThrows(ContainerException.class, () -> control.pause("no-such-" + id));
        assertTrue(e.getMessage().startsWith("container no-such-" + id + ": no such container"), e.getMessage());
        assertThrows(ContainerException.class, () -> control.ps("no-such-" + id));
    }
}
