package dev.dcont.runtime.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.dcont.runtime.testing.RootOnly;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.TestCgroupParent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The freezers for real (root): a shell spinning in a loop, which is always runnable, is moved into a cgroup of the
 * test's own and frozen; it must then be off the CPU (a task state other than R), and running again after the
 * thaw. On the v1 freezer hierarchy and on a cgroup2 mount (the host's unified hierarchy, or the controller-less
 * one of a hybrid host: cgroup.freeze needs no controller).
 */
class CgroupFreezerRootTest {
    private TestCgroupParent parent;
    private CgroupManager cgroup;
    private Process spinner;

    @BeforeEach
    void setUp() {
        RootOnly.require("cgroup freezer root test");
        parent = TestCgroupParent.create("freezer");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (spinner != null) {
            if (cgroup.frozen()) {
                cgroup.thaw(); // a task frozen by the v1 freezer takes its SIGKILL only once thawed
            }
            spinner.destroyForcibly();
            spinner.waitFor();
        }
        if (cgroup != null) {
            cgroup.destroy();
        }
        parent.close();
        assertEquals(List.of(), parent.directories(), "the test's cgroups were left behind");
    }

    @Test
    void v1FreezerStopsASpinningProcessAndThawLetsItRunAgain() throws Exception {
        Cgroups host = Cgroups.detect();
        if (host.unified()) {
            Assumptions.abort("host is cgroup v2 only: no v1 freezer (the cgroup2 test covers it)");
        }
        freezeAndThaw(host);
    }

    @Test
    void v2FreezerStopsASpinningProcessAndThawLetsItRunAgain() throws Exception {
        Path root = Cgroups.detect().unified() ? Cgroups.ROOT : Cgroups.ROOT.resolve("unified");
        if (!Files.exists(root.resolve("cgroup.procs"))) {
            String msg = "no cgroup2 hierarchy at " + root + " (a v1-only host)";
            if (RootOnly.onCi()) {
                fail(msg);
            }
            Assumptions.abort(msg);
        }
        freezeAndThaw(Cgroups.unifiedAt(root));
    }

    private void freezeAndThaw(Cgroups host) throws Exception {
        cgroup = host.manager(parent.pathOf("spin"));
        cgroup.create(null);
        spinner = new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
        int pid = (int) spinner.pid();
        for (Path procs : cgroup.procsFiles()) {
            Files.writeString(procs, Integer.toString(pid));
        }
        assertEquals(List.of(pid), cgroup.pids());
        assertFalse(cgroup.frozen());

        cgroup.freeze();
        assertTrue(cgroup.frozen());
        char frozen = taskState(pid);
        assertNotEquals('R', frozen, "a frozen spinning shell must be off the CPU");
        assertTrue(frozen == 'D' || frozen == 'S', "frozen task state " + frozen);

        cgroup.thaw();
        assertFalse(cgroup.frozen());
        Poll.until("the thawed shell to spin again", Duration.ofSeconds(5), () -> taskState(pid) == 'R');
    }

    /** The state letter of /proc/PID/stat: R running, S sleeping, D uninterruptible, ... */
    private static char taskState(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
