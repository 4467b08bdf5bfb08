package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.SpecMaps;
import dev.dcont.runtime.testing.BusyboxBundle;
import dev.dcont.runtime.testing.ContainerRootTest;
import dev.dcont.testkit.Poll;
import dev.dcont.testkit.Probe;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * runc's options and listings, for real: --preserve-fds (a descriptor the caller's shell opened, through the
 * program, for run, create and exec), --no-pivot, list, ps and kill --all.
 */
class RuncOptionsRootTest extends ContainerRootTest {
    RuncOptionsRootTest() {
        super("runc options root test", "opt-");
    }

    interface C extends Library {
        C LIBC = Native.load("c", C.class);

        long syscall(long number, Object... args);

        int ioctl(int fd, long request, long[] out);

        int open(String path, int flags);

        int close(int fd);
    }

    /** Prints which of the shell's descriptors 0 to 9 are open (a listing of /proc/PID/fd would add its own). */
    private static final String OPEN_FDS = "for n in 0 1 2 3 4 5 6 7 8 9; do test -e /proc/$$/fd/$n && echo $n; done; true";

    /** The containers a test made besides {@link #id}; the base class checks what is left. */
    @AfterEach
    void deleteTheOthers() throws Exception {
        if (rt == null) {
            return;
        }
        for (String c : rt.list()) {
            rt.delete(c, true);
        }
    }

    /** {@code dcont-runtime ARGS} from a shell that first runs {@code redirections} (e.g. "3< FILE"). */
    private ProcessBuilder shell(String redirections, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RuntimeMain.class.getName(), "--root",
                rt.stateRoot().toString()));
        cmd.addAll(List.of(args));
        StringBuilder sh = new StringBuilder("exec");
        for (String a : cmd) {
            sh.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return new ProcessBuilder("/bin/sh", "-c", sh + " " + redirections).redirectErrorStream(true);
    }

    private static String finish(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private Path file(String name, String content) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    @Test
    void runPassesTheCallersDescriptorsAsThreeOnwardAndNothingElse() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "cat /proc/self/fd/3 /proc/self/fd/4; " + OPEN_FDS));
        Path three = file("three", "from-three\n"), four = file("four", "from-four\n");
        String out = finish(shell("3<" + three + " 4<" + four + " 5<" + three, "run", "--preserve-fds", "2",
                "--bundle", bundle.dir.toString(), id).start());
        assertEquals(List.of("from-three", "from-four", "0", "1", "2", "3", "4"), out.lines().toList());
    }

    @Test
    void createPassesThemToTheProcessThatStartRuns() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "cat /proc/self/fd/3; " + OPEN_FDS));
        Path three = file("three", "created-with-three\n");
        Path out = tmp.resolve("out");
        finish(shell("3<" + three + " >" + out + " 2>&1 </dev/null", "create", "--preserve-fds", "1",
                "--bundle", bundle.dir.toString(), id).start());
        rt.startCreated(id);
        Poll.until("the container's output", Duration.ofSeconds(10),
                () -> Files.readString(out).lines().count() >= 5);
        assertEquals(List.of("created-with-three", "0", "1", "2", "3"), Files.readString(out).lines().toList());
    }

    @Test
    void execPassesThemToTheExecdProcess() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        rt.start(bundle.dir, id, tmp.resolve("log"));
        Path three = file("three", "exec-three\n");
        String out = finish(shell("3<" + three + " 4<" + three, "exec", "--preserve-fds", "1", id, "sh", "-c",
                "cat /proc/self/fd/3; " + OPEN_FDS).start());
        assertEquals(List.of("exec-three", "0", "1", "2", "3"), out.lines().toList());
        // without the option the process has none of them
        assertEquals("no\n", finish(shell("3<" + three, "exec", id, "sh", "-c", "test -e /proc/self/fd/3 || echo no")
                .start()));
    }

    /** The mounts of the container's mount namespace, all of them, whatever its root sees (listmount(2)). */
    private static int mountsInNamespaceOf(int pid) {
        int fd = C.LIBC.open("/proc/" + pid + "/ns/mnt", 0);
        assertTrue(fd >= 0);
        long[] nsId = new long[1];
        try {
            assertEquals(0, C.LIBC.ioctl(fd, 0x8008b705L /* NS_GET_MNTNS_ID */, nsId));
        } finally {
            C.LIBC.close(fd);
        }
        Memory req = new Memory(32); // struct mnt_id_req, version 1
        req.clear();
        req.setInt(0, 32);
        req.setLong(8, -1L); // LSMT_ROOT
        req.setLong(24, nsId[0]);
        Memory ids = new Memory(8 * 4096);
        long n = C.LIBC.syscall(458 /* listmount */, req, ids, 4096L, 0L);
        assertTrue(n > 0, "listmount: errno " + Native.getLastError());
        return (int) n;
    }

    private int mountsOfARunningContainer(CreateOptions options, String c) throws Exception {
        int pid = rt.create(bundle.dir, c, null, null, options).pid();
        try {
            return mountsInNamespaceOf(pid);
        } finally {
            rt.delete(c, true);
        }
    }

    /**
     * --no-pivot: the root is moved onto / and entered with chroot, so the host's mounts stay in the container's
     * namespace (pivot_root leaves only the container's); its root still shows nothing of the host, not even to a
     * process that leaves a chroot of its own.
     */
    @Test
    void noPivotConfinesTheRootWithoutPivotRoot() throws Exception {
        Files.copy(Probe.path(), bundle.rootfs.resolve("probe"), StandardCopyOption.COPY_ATTRIBUTES);
        Path marker = file("host-marker", "host\n");
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c", "ls /; cat " + marker + " || echo unseen; /probe "
                + "chroot_escape " + marker + " chroot_escape /bin/busybox"));
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        assertEquals(0, rt.run(bundle.dir, id, Stdio.files(null, out, err), new CreateOptions(0, true, false)),
                Files.readString(err));
        List<String> lines = Files.readString(out).lines().toList();
        assertTrue(lines.containsAll(List.of("bin", "etc", "probe", "proc", "tmp", "unseen")), lines.toString());
        assertTrue(lines.contains("chroot_escape: refused (ENOENT)"), lines.toString());
        assertTrue(lines.contains("chroot_escape: allowed"), "the probe itself works: " + lines);

        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        int pivoted = mountsOfARunningContainer(CreateOptions.NONE, id + "-p");
        int moved = mountsOfARunningContainer(new CreateOptions(0, true, false), id + "-m");
        assertTrue(moved > pivoted, "no-pivot " + moved + " mounts, pivot_root " + pivoted);
    }

    private String program(String... args) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        synchronized (RuncOptionsRootTest.class) {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            try {
                List<String> all = new ArrayList<>(List.of("--root", rt.stateRoot().toString()));
                all.addAll(List.of(args));
                assertEquals(0, RuntimeMain.execute(all.toArray(String[]::new)));
            } finally {
                System.setOut(saved);
            }
        }
        return o.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsRuncsColumnsAndFields() throws Exception {
        bundle.write(BusyboxBundle.defaultSpec("sleep", "1000"));
        Instant before = Instant.now();
        rt.start(bundle.dir, id, tmp.resolve("log"));
        int pid = rt.state(id).pid();
        String table = program("list");
        List<String> lines = table.lines().toList();
        assertEquals(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"),
                List.of(lines.get(0).trim().split("\\s+")));
        String[] row = lines.get(1).trim().split("\\s+");
        String bundleDir = bundle.dir.toAbsolutePath().normalize().toString();
        assertEquals(List.of(id, Integer.toString(pid), "running", bundleDir), List.of(row).subList(0, 4));
        Instant created = Instant.parse(row[4]);
        assertTrue(!created.isBefore(before.minusSeconds(1)) && !created.isAfter(Instant.now()), row[4]);
        assertEquals("root", row[5]);
        assertEquals(lines.get(0).indexOf("OWNER"), lines.get(1).indexOf(" root") + 1, table);

        assertEquals(id + "\n", program("list", "-q"));

        Path json = file("list.json", "{\"l\":" + program("list", "--format", "json") + "}");
        Map<String, Object> c = SpecMaps.obj(SpecMaps.list(SpecMaps.readObject(json).get("l"), "l").get(0), "c");
        assertEquals(List.of("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"),
                List.copyOf(c.keySet()));
        assertEquals(pid, ((Number) c.get("pid")).intValue());
        assertEquals(bundle.rootfs.toRealPath().toString(), c.get("rootfs"));
        assertEquals(row[4], c.get("created"));
    }

    @Test
    void psFiltersPsByTheContainersCgroupAndKillAllSignalsEveryProcess() throws Exception {
        // the init traps TERM (a pid namespace's init ignores a signal it has no handler for), its child does not
        bundle.write(BusyboxBundle.defaultSpec("sh", "-c",
                "trap 'echo term >> /tmp/init' TERM; sleep 1001 & echo $! > /tmp/child; while :; do sleep 1; done"));
        rt.start(bundle.dir, id, tmp.resolve("log"));
        int init = rt.state(id).pid();
        Path childFile = bundle.rootfs.resolve("tmp/child");
        Poll.until("the background child", Duration.ofSeconds(10),
                () -> Files.exists(childFile) && Files.readString(childFile).endsWith("\n"));
        Poll.until("sleep 1001 to run", Duration.ofSeconds(10), () -> program("ps", id).contains("sleep 1001"));

        String json = program("ps", "--format", "json", id).strip();
        List<Integer> pids = rt.pids(id);
        assertTrue(json.startsWith("[") && json.contains(Integer.toString(init)), json);
        assertEquals(pids.size(), json.split(",").length, json);
        String table = program("ps", id, "--", "-o", "pid,args");
        List<String> rows = table.lines().toList();
        assertEquals("PID COMMAND", rows.get(0).trim().replaceAll("\\s+", " "));
        for (String r : rows.subList(1, rows.size())) {
            assertTrue(pids.contains(Integer.parseInt(r.trim().split("\\s+")[0])), table);
        }
        assertTrue(rows.stream().anyMatch(r -> r.trim().startsWith(init + " ")), table);
        assertFalse(table.contains(" ps -o"), "a process outside the container: " + table);

        int child = -1;
        for (int p : pids) {
            if (Files.readString(Path.of("/proc/" + p + "/cmdline")).startsWith("sleep\u00001001")) {
                child = p;
            }
        }
        assertTrue(child > 0, "no sleep 1001 in " + pids);
        program("kill", "--all", id, "TERM");
        int gone = child;
        Poll.until("the background child to end on TERM", Duration.ofSeconds(10), () -> StateDir.startTime(gone) < 0);
        Poll.until("the init's trap", Duration.ofSeconds(10),
                () -> Files.exists(bundle.rootfs.resolve("tmp/init")));
        assertEquals(ContainerState.RUNNING, rt.state(id).status(), "the init has a handler and goes on");
    }
}
