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
}
