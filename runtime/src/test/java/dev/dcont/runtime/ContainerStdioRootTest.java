package dev.dcont.runtime;

import dev.dcont.testkit.Poll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.ContainerRootTest;
import dev.dcont.testkit.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The container never holds a descriptor of the caller's: its stdin, stdout and stderr are pipes that the monitor
 * relays, for run, exec and a detached start alike. Files stand for the caller's descriptors here.
 */
class ContainerStdioRootTest extends ContainerRootTest {
    ContainerStdioRootTest() {
        super("container stdio root test", "t-");
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.copy(Probe.path(), bundle.rootfs.resolve("bin/probe"));
    }

    /** A file of the caller's as nobody would have it: owned by 65534, mode 0644. */
    private Path callersFile(String name) throws Exception {
        Path f = Files.createFile(tmp.resolve(name));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setAttribute(f, "unix:uid", 65534);
        Files.setAttribute(f, "unix:gid", 65534);
        return f;
    }

    private static void assertUntouched(Path f) throws Exception {
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
        assertEquals(65534, Files.getAttribute(f, "unix:uid"), "owner of " + f);
        assertEquals(65534, Files.getAttribute(f, "unix:gid"), "group of " + f);
    }

    private static final String STDIO_ARE_PIPES =
            "fd_is_pipe 0: allowed\nfd_is_pipe 1: allowed\nfd_is_pipe 2: allowed\n";

    @Test
    void runGivesPipesSoTheCallersFilesCannotBeChangedThroughProcSelfFd() throws Exception {
        Path out = callersFile("out"), err = callersFile("err");
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "probe chmod_stdout chown_stdout;"
                + " chmod 04777 /proc/self/fd/2; probe fd_is_pipe 0 fd_is_pipe 1 fd_is_pipe 2; exit 7"));
        int code = rt.run(bundle.dir, id, Stdio.files(null, out, err));
        assertEquals(7, code, Files.readString(err));
        assertUntouched(out);
        assertUntouched(err);
        assertTrue(Files.readString(out).endsWith(STDIO_ARE_PIPES), Files.readString(out));
    }

    @Test
    void withoutInputStdinIsEmptyAndWithInputEverythingArrivesAndEnds() throws Exception {
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "probe fd_is_pipe 0 >&2; wc -c"));
        assertEquals(0, rt.run(bundle.dir, id, Stdio.files(null, out, err)));
        assertEquals("0", Files.readString(out).trim(), "no input: stdin at its end at once");
        assertEquals("fd_is_pipe 0: allowed\n", Files.readString(err));

        // 16 MiB, more than the pipes hold, through cat and back, unchanged: nothing lost at the end of input
        byte[] data = new byte[16 << 20];
        new Random(7).nextBytes(data);
        Path in = Files.write(tmp.resolve("in"), data);
        Path copy = tmp.resolve("copy");
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "probe fd_is_pipe 0 >&2; cat"));
        assertEquals(0, rt.run(bundle.dir, id, Stdio.files(in, copy, tmp.resolve("err2"))));
        assertArrayEquals(data, Files.readAllBytes(copy));
        assertEquals("fd_is_pipe 0: allowed\n", Files.readString(tmp.resolve("err2")));
    }

    @Test
    void execAndADetachedContainerGetPipesToo() throws Exception {
        // sleep keeps the container running for the exec
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c",
                "probe fd_is_pipe 0 fd_is_pipe 1 fd_is_pipe 2; exec sleep 60"));
        Path log = tmp.resolve("ctr.log");
        assertEquals(ContainerState.RUNNING, rt.start(bundle.dir, id, log).status());
        waitFor(() -> ContainerLog.text(log, ContainerLog.Chunk.STDOUT).contains("fd_is_pipe 2"));
        assertEquals(STDIO_ARE_PIPES, ContainerLog.text(log, ContainerLog.Chunk.STDOUT));

        Path out = callersFile("exec-out"), err = callersFile("exec-err");
        ProcessSpec p = rt.processOf(id).withArgs(List.of("sh", "-c",
                "probe chmod_stdout chown_stdout; probe fd_is_pipe 0 fd_is_pipe 1 fd_is_pipe 2; exit 9"));
        assertEquals(9, rt.exec(id, p, Stdio.files(null, out, err)), Files.readString(err));
        assertUntouched(out);
        assertUntouched(err);
        assertTrue(Files.readString(out).endsWith(STDIO_ARE_PIPES), Files.readString(out));

        Path in = Files.writeString(tmp.resolve("in"), "a\nb\n");
        Path copy = tmp.resolve("copy");
        ProcessSpec cat = rt.processOf(id).withArgs(List.of("sh", "-c", "probe fd_is_pipe 0 >&2; cat"));
        assertEquals(0, rt.exec(id, cat, Stdio.files(in, copy, tmp.resolve("cat-err"))));
        assertEquals("a\nb\n", Files.readString(copy));
        assertEquals("fd_is_pipe 0: allowed\n", Files.readString(tmp.resolve("cat-err")));
        rt.delete(id, true);
    }

    private static void waitFor(Poll.Condition c) throws Exception {
        Poll.until("the container", java.time.Duration.ofSeconds(10), c);
    }
}
