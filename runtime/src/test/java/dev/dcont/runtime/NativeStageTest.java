package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.testkit.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    void aStageThatCannotMakeItsSealedCopyRefusesToRunFromTheFileOnDisk() throws Exception {
        // with no descriptor left for /proc/self/exe the copy cannot be made: the stage must stop, not go on
        // from the binary on disk
        Process p = new ProcessBuilder("prlimit", "--nofile=3:3", NativeStage.path().toString(), "--self-check")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(125, p.waitFor(), out);
        assertTrue(out.startsWith("dcont-init: cannot run from a sealed copy of itself"), out);
        assertEquals(1, out.lines().count(), out);
        assertTrue(!out.contains("exe="), out);
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
        Poll.until("stage " + pid + " to give up after its launcher died", Duration.ofSeconds(5),
                () -> !StateDir.alive(pid));
    }

    @Test
    void anAwaitingStageReadsThePlanOnceItIsRenamedIntoPlace() throws Exception {
        // a plan without EXEC makes the stage fail saying so: proof that it read the plan
        Path dir = Files.createTempDirectory("dcont-await");
        Path plan = dir.resolve("plan");
        Process p = new ProcessBuilder(NativeStage.path().toString(), "--await",
                Long.toString(ProcessHandle.current().pid()), plan.toString())
                .redirectErrorStream(true).start();
        // what is tested is that nothing happens: a stage that did not wait would exit at once, without a plan to
        // read; no event shows a wait, so the test gives it this span to fail in (it is not a synchronisation)
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

    @Test
    void pruningTheCacheKeepsWhatIsCurrentOrLinkedAndRemovesWhatEarlierInstallsLeft(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        long now = System.currentTimeMillis();
        long old = now - NativeStage.PRUNE_AFTER_MS - 60_000;
        java.util.function.BiFunction<String, Long, Path> copy = (hexChar, made) -> {
            try {
                Path p = Files.writeString(dir.resolve("dcont-init-" + hexChar.repeat(64)), "stage");
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(made));
                return p;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Path current = copy.apply("a", old);       // this jar's: kept, however old
        Path linkedOld = copy.apply("b", old);     // old, but a recent shortcut points to it: kept
        Path orphanOld = copy.apply("c", old);     // old and nothing points to it: removed
        Path orphanNew = copy.apply("d", now);     // recent (another install may be about to link it): kept
        Path staleLinked = copy.apply("e", old);   // its only shortcut is stale: both removed
        Path fresh = Files.createSymbolicLink(dir.resolve("dcont-init.jar-1-2-3"), linkedOld.getFileName());
        Path dangling = Files.createSymbolicLink(dir.resolve("dcont-init.jar-4-5-6"), Path.of("dcont-init-" + "f".repeat(64)));
        Path stale = Files.createSymbolicLink(dir.resolve("dcont-init.jar-7-8-9"), staleLinked.getFileName());
        Files.setAttribute(stale, "lastModifiedTime", java.nio.file.attribute.FileTime.fromMillis(old),
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Path other = Files.writeString(dir.resolve("notes.txt"), "not ours");

        NativeStage.pruneCache(dir, current, now - NativeStage.PRUNE_AFTER_MS);

        java.util.Set<Path> left;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            left = s.collect(java.util.stream.Collectors.toSet());
        }
        assertEquals(java.util.Set.of(current, linkedOld, orphanNew, fresh, other), left);
        assertTrue(!left.contains(orphanOld) && !left.contains(dangling) && !left.contains(stale));
    }
}
