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
    void stdinOpenIsAStepWithoutArguments() {
        PlanWriter w = new PlanWriter();
        w.stdinOpen();
        assertEquals("STDIN_OPEN|0|", text(w));
    }

    @Test
    void nulInsideAnArgumentIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PlanWriter().sethostname("a\0b"));
    }
}
