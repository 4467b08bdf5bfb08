package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's own state.json: what a start records for kill, exec and delete to read back. */
class StateDirTest {
    @TempDir Path tmp;

    @Test
    void theStoredStateRoundTripsThroughStateJsonForItsOwnerOnly() throws IOException {
        Path f = tmp.resolve("state.json");
        for (StateDir.Stored s : List.of(
                new StateDir.Stored("1.0.2", "c1", "/b", Map.of("k", "v"), "/dcont/c1",
                        List.of("/sys/fs/cgroup/memory/dcont/c1"), List.of("/sys/fs/cgroup/memory/dcont/c1/cgroup.procs"),
                        List.of("pid", "mount"), true),
                new StateDir.Stored("1.0.2", "c2", "/b", null, "/dcont/c2", List.of(), List.of(), List.of(), false),
                // runc's create: the root's real path, the creation time (for list) and --no-new-keyring (for exec)
                new StateDir.Stored("1.0.2", "c3", "/b", null, "/dcont/c3", List.of(), List.of(), List.of(), false,
                        "/b/rootfs", 1796341449569348351L, true))) {
            s.write(f);
            assertEquals(s, StateDir.Stored.read(f));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        }
        assertTrue(!Files.readString(f).contains("annotations"), "absent annotations are left out");
    }

    @Test
    void aDamagedStateJsonIsAnIoErrorOfOneLine() throws IOException {
        Path f = tmp.resolve("state.json");
        Files.writeString(f, "{\"id\": \"c1\", \"cgroupDirs\": \"x\"");
        IOException e = assertThrows(IOException.class, () -> StateDir.Stored.read(f));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ": invalid JSON"), e.getMessage());
    }
}
