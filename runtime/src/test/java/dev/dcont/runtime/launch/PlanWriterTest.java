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
}
