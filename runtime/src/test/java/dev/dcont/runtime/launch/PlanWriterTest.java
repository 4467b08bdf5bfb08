package dev.dcont.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanWriterTest {
    private static String text(PlanWriter w) {
        return new String(w.toBytes(), StandardCharsets.UTF_8).replace('\0', '|');
    }

    @Test
    void eachStepIsNameArgcAndNulTerminatedArguments() {
        PlanWriter w = new PlanWriter();
        w.mount("proc", "/r/proc", "proc", 0xe, null);
        w.setrlimit(7, -1, -1);
        w.exec("sh", List.of("sh", "-c", "echo a b"), List.of("PATH=/bin"));
        w.setgroups(List.of());
        assertEquals("MOUNT|5|proc|/r/proc|proc|0xe||"
                + "SETRLIMIT|3|7|18446744073709551615|18446744073709551615|"
                + "EXEC|6|sh|3|sh|-c|echo a b|PATH=/bin|"
                + "SETGROUPS|0|", text(w));
    }

    @Test
    void stepsInsideTheRootCarryPathsRelativeToTheOpenedRoot() {
        PlanWriter w = new PlanWriter();
        w.openRoot("/b/rootfs");
        w.mkdirAll("dev", 0755);
        w.mountInRoot("tmpfs", "dev", "tmpfs", 0x1000002, "mode=755");
        w.mknod("dev/null", 'c', 1, 3, 0666, 0, 0);
        w.symlink("/proc/self/fd", "dev/fd");
        assertEquals("OPEN_ROOT|1|/b/rootfs|MKDIR|2|dev|0755|MOUNT_IN_ROOT|5|tmpfs|dev|tmpfs|0x1000002|mode=755|"
                + "MKNOD|7|dev/null|c|1|3|0666|0|0|SYMLINK|2|/proc/self/fd|dev/fd|", text(w));
    }

    @Test
    void stdinOpenIsAStepWithoutArguments() {
        PlanWriter w = new PlanWriter();
        w.stdinOpen();
        assertEquals("STDIN_OPEN|0|", text(w));
    }

    @Test
    void preservedDescriptorsAndTheMovedRootAreSteps() {
        PlanWriter w = new PlanWriter();
        w.preserveFds(4242, 2);
        w.moveRoot("/b/rootfs");
        assertEquals("PRESERVE_FDS|2|4242|2|MOVE_ROOT|1|/b/rootfs|", text(w));
    }

    @Test
    void nulInsideAnArgumentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PlanWriter().sethostname("a\0b"));
    }

    @Test
    void theDeviceFilterAndTheKeyringAreWrittenAsSteps() {
        PlanWriter w = new PlanWriter();
        w.deviceFilter("/sys/fs/cgroup/dcont/c1", true, List.of("deny c 1:11 rwm"));
        w.sessionKeyring("_ses.c1");
        assertEquals("DEVICE_FILTER|3|/sys/fs/cgroup/dcont/c1|allow|deny c 1:11 rwm|SESSION_KEYRING|1|_ses.c1|",
                text(w));
    }

    @Test
    void theSeccompStepCarriesTheCompiledRulesInOrder() {
        PlanWriter w = new PlanWriter();
        w.seccomp(new SeccompFilter(true, "/run/d/.seccomp", 0x50001L, List.of("x86_64", "x86"), 4, List.of(
                new SeccompFilter.Rule(0x7fff0000L, List.of(), List.of("read", "write")),
                new SeccompFilter.Rule(0x50026L, List.of(new SeccompFilter.Cond(0, 7, 0x7e020000L, 0)),
                        List.of("clone")))));
        assertEquals("SECCOMP|20|exec|/run/d/.seccomp|0x50001|4|2|x86_64|x86|"
                + "0x7fff0000|0|2|read|write|"
                + "0x50026|1|0|7|0x7e020000|0x0|1|clone|", text(w));
        PlanWriter none = new PlanWriter();
        none.seccomp(new SeccompFilter(false, null, 0x7fff0000L, List.of(), 0, List.of()));
        assertEquals("SECCOMP|5|now||0x7fff0000|0|0|", text(none));
    }
}
