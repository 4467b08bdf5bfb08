package dev.dcont.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ContainerExceptionTest {
    @Test
    void execFailuresCarryTheirErrnoAndKeepAReadableMessage() {
        ContainerException notFound = ContainerException.startFailed("container x: start failed",
                "exec-errno 2: exec nosuch: not found in PATH /bin: No such file or directory");
        assertEquals("container x: start failed: exec nosuch: not found in PATH /bin: No such file or directory",
                notFound.getMessage());
        assertEquals(127, notFound.dockerExitCode());
        assertEquals(126, ContainerException.startFailed("c", "exec-errno 13: exec /etc/passwd: Permission denied")
                .dockerExitCode());
        assertEquals(126, ContainerException.startFailed("c", "exec-errno 8: exec /x: Exec format error")
                .dockerExitCode());
        assertEquals(127, ContainerException.startFailed("c", "exec-errno 20: exec /f/x: Not a directory")
                .dockerExitCode());
    }

    @Test
    void otherStartFailuresAre125EvenWhenTheyMentionExec() {
        ContainerException mount = ContainerException.startFailed("c", "mount proc on /proc: exec No such file or directory");
        assertEquals(125, mount.dockerExitCode());
        assertEquals("c: mount proc on /proc: exec No such file or directory", mount.getMessage());
        assertEquals(125, new ContainerException("anything").dockerExitCode());
    }
}
