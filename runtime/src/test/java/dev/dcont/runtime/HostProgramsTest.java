package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.runtime.testing.RootOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A program root runs is taken only from a file and directories that no user but root can change. */
class HostProgramsTest {
    private static final String NAME = "dcont-test-program";

    @TempDir Path tmp;

    @BeforeEach
    void root() throws IOException {
        RootOnly.require("checking that a program is root's own");
        // the temporary directory's own parents (/tmp: sticky) pass; the directory itself is made 0755 root's
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path program(Path dir, String mode) throws IOException {
        Files.createDirectories(dir);
        Path p = Files.writeString(dir.resolve(NAME), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void rootsOwnProgramIsFound() throws IOException {
        Path good = program(tmp.resolve("good"), "rwxr-xr-x");
        HostPrograms.Found f = HostPrograms.find(NAME, List.of(good.getParent().toString()));
        assertEquals(good.toRealPath(), f.path());
    }

    @Test
    void aDirectoryOthersMayWriteIsPassedOverForTheNextCandidate() throws IOException {
        Path open = program(tmp.resolve("open"), "rwxr-xr-x");
        Files.setPosixFilePermissions(open.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path good = program(tmp.resolve("good"), "rwxr-xr-x");
        HostPrograms.Found f = HostPrograms.find(NAME, List.of(open.getParent().toString(), good.getParent().toString()));
        assertEquals(good.toRealPath(), f.path());
        assertNull(HostPrograms.find(NAME, List.of(open.getParent().toString())).path());
    }

    @Test
    void aProgramOthersMayWriteOrAnotherUserOwnsIsRefusedWithTheReason() throws IOException {
        Path writable = program(tmp.resolve("w"), "rwxrwxrwx");
        HostPrograms.Found f = HostPrograms.find(NAME, List.of(writable.getParent().toString()));
        assertNull(f.path());
        IOException e = assertThrows(IOException.class, () -> f.orThrow(NAME, "install it"));
        assertTrue(e.getMessage().startsWith(NAME + " is not used: " + writable.toRealPath()), e.getMessage());
        assertTrue(e.getMessage().endsWith("(install it)"), e.getMessage());

        Path foreign = program(tmp.resolve("f"), "rwxr-xr-x");
        Files.setOwner(foreign, foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertNull(HostPrograms.find(NAME, List.of(foreign.getParent().toString())).path());
    }

    @Test
    void aLinkToAProgramInAnOpenDirectoryIsJudgedByWhereItLeads() throws IOException {
        Path open = program(tmp.resolve("open"), "rwxr-xr-x");
        Files.setPosixFilePermissions(open.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        Path linkDir = Files.createDirectories(tmp.resolve("links"));
        Files.createSymbolicLink(linkDir.resolve(NAME), open);
        assertNull(HostPrograms.find(NAME, List.of(linkDir.toString())).path());
    }

    @Test
    void aRelativeDirectoryIsNeverSearched() throws IOException {
        assertTrue(HostPrograms.whyUntrusted(Path.of("bin", NAME)).contains("not an absolute path"));
    }

    @Test
    void noCandidateAtAllSaysNotInstalled() {
        IOException e = assertThrows(IOException.class,
                () -> HostPrograms.find("dcont-no-such-program", List.of(tmp.toString())).orThrow("x", ""));
        assertEquals("x is not installed", e.getMessage());
    }
}
