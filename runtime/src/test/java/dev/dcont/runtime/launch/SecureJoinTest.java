package dev.dcont.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureJoinTest {
    @TempDir Path root;

    @Test
    void dotDotStopsAtTheRoot() throws IOException {
        assertEquals(root.resolve("etc/passwd"), SecureJoin.join(root, "/../../etc/./passwd"));
    }

    @Test
    void absoluteSymlinksResolveInsideTheRoot() throws IOException {
        Files.createDirectories(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("/real"));
        Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../tmp"));
        assertEquals(root.resolve("real/x"), SecureJoin.join(root, "/link/x"));
        assertEquals(root.resolve("tmp/y"), SecureJoin.join(root, "/up/y"));
    }

    @Test
    void symlinkLoopsAreAnError() throws IOException {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        assertThrows(IOException.class, () -> SecureJoin.join(root, "/a"));
    }
}
