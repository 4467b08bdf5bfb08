package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeStageTest {
    @Test
    void theBuildPutsAnExecutableStageAndItsHashOnTheClasspath() throws Exception {
        Path p = NativeStage.path();
        assertTrue(Files.isExecutable(p), p.toString());
        String hash = Files.readString(p.resolveSibling("dcont-init.sha256")).trim();
        assertEquals(NativeStage.sha256(Files.readAllBytes(p)), hash);
    }

    @Test
    void theStageRunsFromASealedMemfdSoAContainerCannotOverwriteIt() throws Exception {
        // CVE-2019-5736: /proc/self/exe of every dcont-init process is a sealed copy, not the file on disk
        Process p = new ProcessBuilder(NativeStage.path().toString(), "--self-check").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor());
        assertTrue(out.startsWith("exe=/memfd:dcont-init"), out);
        assertTrue(!out.contains("writable=yes"), out);
    }

    @Test
    void withoutAPlanTheStageRefusesToRun() throws Exception {
        Process p = new ProcessBuilder(NativeStage.path().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(125, p.waitFor());
        assertTrue(out.contains("usage"), out);
    }

    @Test
    void anAwaitingStageGivesUpWhenItsLauncherDies() throws Exception {
        // the launcher (here a shell that exits at once) dies before writing the plan: the stage must not linger
        Process sh = new ProcessBuilder("sh", "-c", "\"$0\" --await $$ /nonexistent/plan </dev/null >/dev/null 2>&1 & echo $!",
                NativeStage.path().toString()).start();
        int pid = Integer.parseInt(new String(sh.getInputStream().readAllBytes()).trim());
        assertEquals(0, sh.waitFor());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (StateDir.alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(!StateDir.alive(pid), "stage " + pid + " still waits after its launcher died");
    }

    @Test
    void anAwaitingStageReadsThePlanOnceItIsRenamedIntoPlace() throws Exception {
        // a plan without EXEC makes the stage fail saying so: proof that it read the plan
        Path dir = Files.createTempDirectory("dcont-await");
        Path plan = dir.resolve("plan");
        Process p = new ProcessBuilder(NativeStage.path().toString(), "--await",
                Long.toString(ProcessHandle.current().pid()), plan.toString())
                .redirectErrorStream(true).start();
        Thread.sleep(200);
        assertTrue(p.isAlive(), () -> "the stage did not wait for its plan: " + output(p));
        Path tmp = dir.resolve(".plan.tmp");
        Files.write(tmp, "BOGUS\0x\0".getBytes());
        Files.move(tmp, plan, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertTrue(p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the stage did not see its plan");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(125, p.exitValue(), out);
        assertTrue(out.contains("plan has no EXEC"), out);
        Files.delete(plan);
        Files.delete(dir);
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes());
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
