package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcont-runtime's command line: what runc's callers rely on, without containers. */
class RuntimeMainTest {
    @TempDir Path tmp;

    record Out(int code, String out, String err) {}

    private static synchronized Out run(String... argv) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = RuntimeMain.execute(argv);
            return new Out(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void versionAsRuncPrintsIt() {
        Out r = run("--version");
        assertEquals(0, r.code());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].startsWith("dcont-runtime version "), r.out());
        assertTrue(lines[1].matches("spec: 1\\.\\d+\\.\\d+.*"), r.out());
    }

    @Test
    void anUnknownContainerIsOneLineOnStderrAndExitCodeOne() {
        Out r = run("--root", tmp.toString(), "state", "nosuch");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("dcont-runtime: container nosuch: no such container (does not exist in "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        for (String cmd : List.of("start", "delete", "kill", "ps")) {
            assertEquals(1, run("--root", tmp.toString(), cmd, "nosuch").code(), cmd);
        }
    }

    @Test
    void theLogGetsTheErrorAsRuncsJsonLines() throws Exception {
        Path log = tmp.resolve("log.json");
        Out r = run("--root", tmp.toString(), "--log", log.toString(), "--log-format", "json", "start", "nosuch");
        assertEquals(1, r.code());
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size());
        Path one = tmp.resolve("one.json");
        Files.writeString(one, lines.get(0));
        Map<String, Object> m = SpecMaps.readObject(one);
        assertEquals("error", m.get("level"));
        assertTrue(((String) m.get("msg")).contains("does not exist"), lines.get(0));
        Instant.parse((String) m.get("time"));
    }

    @Test
    void theTextLogIsLogfmt() {
        assertEquals("time=\"2026-01-02T03:04:05Z\" level=error msg=\"a \\\"b\\\"\"\n",
                RuntimeMain.logLine("a \"b\"", false, Instant.parse("2026-01-02T03:04:05Z")));
    }

    @Test
    void systemdCgroupIsAcceptedWithOneLine() {
        Out r = run("--systemd-cgroup", "--root", tmp.toString(), "list", "-q");
        assertEquals(0, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("only cgroupfs"), r.err());
    }

    @Test
    void listOfAnEmptyRootAsJsonIsAnArray() {
        Out r = run("--root", tmp.resolve("none").toString(), "list", "--format", "json");
        assertEquals(0, r.code(), r.err());
        assertEquals("[]", r.out().strip());
    }

    @Test
    void badInputIsRefused() {
        assertEquals(1, run("--log-format", "xml", "list").code());
        assertEquals(1, run("--root", tmp.toString(), "kill", "x", "SIGNOPE").code());
        assertEquals(1, run("--root", tmp.toString(), "state", "bad/id").code());
        assertEquals(1, run("--root", tmp.toString(), "nocommand").code());
        for (String n : List.of("x", "-1")) {
            Out bad = run("--root", tmp.toString(), "create", "--preserve-fds", n, "--bundle", "/b", "c");
            assertEquals(1, bad.code(), n);
            assertTrue(bad.err().contains("--preserve-fds takes a number"), bad.err());
        }
    }

    /**
     * The launcher counts the descriptors the caller gave: one the JVM opened itself in a number the caller left
     * free is not passed on, and the command fails before it makes anything.
     */
    @Test
    void preserveFdsRefusesADescriptorTheCallerDidNotGive() {
        System.setProperty("dcont.caller-fds", "0");
        try {
            Out r = run("--root", tmp.toString(), "create", "--preserve-fds", "1", "--bundle", tmp.toString(), "c");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("--preserve-fds 1: descriptor 3 was not open when dcont-runtime started"),
                    r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            Out exec = run("--root", tmp.toString(), "exec", "--preserve-fds", "1", "c", "true");
            assertTrue(exec.err().contains("descriptor 3 was not open"), exec.err());
        } finally {
            System.clearProperty("dcont.caller-fds");
        }
    }

    /** runc's list table: Go's tabwriter, minimum width 12, padding 3, the last column as it is. */
    @Test
    void theListTableIsLaidOutAsRuncsTabwriter() {
        assertEquals("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n",
                RuntimeListing.tabwriter(List.of(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"))));
        assertEquals("ID          PID         STATUS      BUNDLE       CREATED                          OWNER\n"
                + "r1          30589       created     /tmp/rtt/b   2026-12-03T23:44:09.569348351Z   root\n",
                RuntimeListing.tabwriter(List.of(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"),
                        List.of("r1", "30589", "created", "/tmp/rtt/b", "2026-12-03T23:44:09.569348351Z", "root"))));
    }

    /** Go's RFC3339Nano, as runc prints a container's creation: no trailing zeros in the fraction. */
    @Test
    void theCreationTimeIsPrintedAsGosRfc3339Nano() {
        assertEquals("2026-12-03T23:44:09.569348351Z", RuntimeListing.rfc3339Nano(1796341449569348351L));
        assertEquals("2026-12-03T23:44:09.5693Z", RuntimeListing.rfc3339Nano(1796341449569300000L));
        assertEquals("2026-12-03T23:44:09Z", RuntimeListing.rfc3339Nano(1796341449000000000L));
    }

    /** runc's ps table: the title of ps's output and the rows whose PID column is one of the container's. */
    @Test
    void psKeepsTheTitleAndTheRowsOfTheContainersPids() {
        String ps = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                + "root           1       0  0 Dec03 ?        00:00:01 /sbin/init\n"
                + "root         420       1  0 23:44 ?        00:00:00 sleep 100\n"
                + "root        4200     420  0 23:44 ?        00:00:00 sh\n";
        assertEquals("UID          PID    PPID  C STIME TTY          TIME CMD\n"
                + "root         420       1  0 23:44 ?        00:00:00 sleep 100\n",
                RuntimeListing.filter(ps, List.of(420)));
        assertEquals("  PID COMMAND\n 4200 sh\n", RuntimeListing.filter("  PID COMMAND\n  420 sleep\n 4200 sh\n",
                List.of(4200)));
        assertThrows(IllegalArgumentException.class, () -> RuntimeListing.filter("COMMAND\nsh\n", List.of(1)));
    }

    @Test
    void featuresPrintsTheDocument() {
        Out f = run("features");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("\"ociVersionMax\""), f.out());
    }

    @Test
    void specWritesConfigJsonIntoTheBundle() throws Exception {
        Out r = run("spec", "--bundle", tmp.toString(), "/bin/true");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("/bin/true"), SpecMaps.readSpec(tmp.resolve("config.json")).process().args());
        assertEquals(1, run("spec", "--bundle", tmp.toString()).code(), "an existing config.json is kept");
    }

    @Test
    void theCommandsOptionsAreItsOwn() throws Exception {
        Out r = run("spec", "--bundle", tmp.toString(), "sh", "-c", "echo hi");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("sh", "-c", "echo hi"), SpecMaps.readSpec(tmp.resolve("config.json")).process().args());
        Out exec = run("--root", tmp.toString(), "exec", "nosuch", "sh", "-c", "true");
        assertEquals(1, exec.code());
        assertTrue(exec.err().contains("does not exist"), exec.err());
    }

    @Test
    void signalsByNameWithOrWithoutSigAndByNumber() {
        assertEquals(15, Signals.parse("SIGTERM"));
        assertEquals(15, Signals.parse("TERM"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(9, Signals.parse("kill"));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse("SIGNOPE"));
        assertThrows(IllegalArgumentException.class, () -> Signals.parse("0"));
    }

    @Test
    void execUserIsUidColonGid() {
        ProcessSpec.User u = RuntimeCommands.user("1000:100", null);
        assertEquals(1000, u.uid());
        assertEquals(100, u.gid());
        assertEquals(0, RuntimeCommands.user("7", null).gid());
        assertThrows(IllegalArgumentException.class, () -> RuntimeCommands.user("bob", null));
    }
}
