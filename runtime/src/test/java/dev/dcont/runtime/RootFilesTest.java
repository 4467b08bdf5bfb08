package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.testing.RootOnly;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each case runs twice: resolved with openat2, and with the component walk of kernels that lack it. */
class RootFilesTest {
    @TempDir Path tmp;

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("root"));
    }

    private static RootFiles open(Path root, boolean openat2) throws IOException {
        RootFiles files = RootFiles.open(root, openat2);
        assertEquals(openat2, files.usesOpenat2(), "this kernel has openat2, and the walk is selectable");
        return files;
    }

    private static String read(RootFiles files, String path) throws IOException {
        byte[] b = files.readRegularFile(path, 1 << 20);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void absoluteSymlinksAndDotDotStayInsideTheRoot(boolean openat2) throws Exception {
        Path root = root();
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host\n");
        // the same path under the root holds other content: the one read must be this
        Path shadow = root.resolve(outside.toString().substring(1));
        Files.createDirectories(shadow);
        Files.writeString(shadow.resolve("secret"), "inside\n");
        Files.createDirectories(root.resolve("etc"));
        Files.createSymbolicLink(root.resolve("etc/passwd"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("etc/up"), Path.of("../../../../../../../../.." + outside));
        Files.createSymbolicLink(root.resolve("etc/rel"), Path.of("up/secret"));
        try (RootFiles files = open(root, openat2)) {
            assertEquals("inside\n", read(files, "etc/passwd"));
            assertEquals("inside\n", read(files, "/etc/rel"));
            assertEquals("inside\n", read(files, "/../../../.." + outside + "/../outside/./secret"));
            assertNull(read(files, "etc/passwd/x"), "a file is not a directory");
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void missingFilesDirectoriesDanglingLinksAndFifosReadAsNone(boolean openat2) throws Exception {
        Path root = root();
        Files.createDirectories(root.resolve("etc/dir"));
        Files.createSymbolicLink(root.resolve("etc/dangling"), Path.of("/nowhere/at/all"));
        run("mkfifo", root.resolve("etc/fifo").toString());
        try (RootFiles files = open(root, openat2)) {
            assertNull(read(files, "etc/missing"));
            assertNull(read(files, "no/such/dir/file"));
            assertNull(read(files, "etc/dir"));
            assertNull(read(files, "etc/dangling"));
            // a FIFO without a writer would block a plain open for reading
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertNull(read(files, "etc/fifo")));
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void symlinkLoopsAndChainsOverFortyLinksFail(boolean openat2) throws Exception {
        Path root = root();
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("/a"));
        Files.createSymbolicLink(root.resolve("self"), Path.of("./self"));
        Files.writeString(root.resolve("file"), "end\n");
        // l40 -> file, l39 -> l40, ..., l0 -> l1: reading l1 follows 40 links, l0 follows 41
        Files.createSymbolicLink(root.resolve("l40"), Path.of("file"));
        for (int i = 39; i >= 0; i--) {
            Files.createSymbolicLink(root.resolve("l" + i), Path.of("l" + (i + 1)));
        }
        try (RootFiles files = open(root, openat2)) {
            assertNull(read(files, "a"));
            assertNull(read(files, "self"));
            assertEquals("end\n", read(files, "l1"));
            assertNull(read(files, "l0"));
            IOException e = assertThrows(IOException.class, () -> files.makeDirectories("/a/x", 0, 0));
            assertTrue(e.getMessage().startsWith("/a/x: ") && e.getMessage().contains("ELOOP"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void aFileOverTheLimitIsAnError(boolean openat2) throws Exception {
        Path root = root();
        Files.write(root.resolve("big"), new byte[4096]);
        try (RootFiles files = open(root, openat2)) {
            assertArrayEquals(new byte[4096], files.readRegularFile("big", 4096));
            IOException e = assertThrows(IOException.class, () -> files.readRegularFile("big", 4095));
            assertEquals("/big: over 4095 bytes", e.getMessage());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void magicLinksOfProcAreRefused(boolean openat2) throws Exception {
        RootOnly.require("mounting proc inside a test root");
        Path root = root();
        Path proc = Files.createDirectories(root.resolve("proc"));
        Path escape = tmp.resolve("escaped");
        // what the text of the links names inside the root is refused too, as openat2 refuses it
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/hostname"), "inside\n");
        run("mount", "-t", "proc", "proc", proc.toString());
        try (RootFiles files = open(root, openat2)) {
            // through /proc/self/root the host's own files would be reached
            assertTrue(Files.exists(Path.of("/etc/hostname")));
            assertNull(read(files, "proc/self/root/etc/hostname"));
            assertNull(read(files, "proc/thread-self/root/etc/hostname"));
            assertThrows(IOException.class, () -> files.makeDirectories("/proc/self/root" + escape, 0, 0));
            assertFalse(Files.exists(escape, LinkOption.NOFOLLOW_LINKS));
        } finally {
            run("umount", "-l", proc.toString());
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void aDeviceNodeIsNotRead(boolean openat2) throws Exception {
        RootOnly.require("mknod");
        Path root = root();
        Files.createDirectories(root.resolve("etc"));
        run("mknod", root.resolve("etc/passwd").toString(), "c", "1", "5"); // /dev/zero's numbers
        try (RootFiles files = open(root, openat2)) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertNull(read(files, "etc/passwd")));
        }
    }

    @ParameterizedTest(name = "openat2={0}")
    @ValueSource(booleans = {true, false})
    void missingDirectoriesAreMadeInsideTheRootOwnedByTheUser(boolean openat2) throws Exception {
        RootOnly.require("chown to another user");
        Path root = root();
        Path host = Files.createDirectories(tmp.resolve("host"));
        Files.createSymbolicLink(root.resolve("w"), host); // absolute, to a host path that exists
        Files.writeString(root.resolve("file"), "");
        try (RootFiles files = open(root, openat2)) {
            assertTrue(files.makeDirectories("/w/x/../x/y", 4242, 4343));
            assertFalse(files.makeDirectories("/w/x/y", 0, 0), "it exists now");
            IOException e = assertThrows(IOException.class, () -> files.makeDirectories("/file/z", 0, 0));
            assertEquals("/file/z: not a directory (ENOTDIR)", e.getMessage());
        }
        try (Stream<Path> s = Files.list(host)) {
            assertEquals(List.of(), s.toList(), "nothing is made on the host");
        }
        Path made = root.resolve(host.toString().substring(1));
        // every directory it made (all of the host path's components, none existing in the root) is the user's
        for (Path p = made.resolve("x/y"); !p.equals(root); p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(List.of(4242, 4343, 040755), List.of(a.get("uid"), a.get("gid"), a.get("mode")), p.toString());
        }
    }
}
