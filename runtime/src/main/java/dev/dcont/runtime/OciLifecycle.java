package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.CgroupManager;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * runc's lifecycle: {@link #create} leaves the container's process waiting on its exec fifo with no dcont
 * process as its parent (the caller's subreaper waits for it); {@link #start} releases it. The container is made
 * by the same {@link ContainerCreation} and has the same state directory as {@code run}'s.
 */
final class OciLifecycle {
    private final ContainerRuntime runtime;
    private final ContainerCreation creation;
    private final HostCgroups cgroups;

    OciLifecycle(ContainerRuntime runtime, ContainerCreation creation, HostCgroups cgroups) {
        this.runtime = runtime;
        this.creation = creation;
        this.cgroups = cgroups;
    }

    ContainerState create(Path bundle, String id, Path pidFile, Path consoleSocket, CreateOptions options)
            throws IOException, ContainerException {
        cgroups.detectAhead();
        StateDir sd = creation.prepare(bundle, id);
        // the stage's stdio, and so the container's, are the caller's
        EarlyStage stage = EarlyStage.start(sd.plan(), Stdio.inherit());
        CgroupManager cgroup = creation.create(bundle, sd, null, List.of(), false, stage,
                consoleSocket == null ? "" : consoleSocket.toAbsolutePath().toString(), options);
        try {
            int code = Uninterruptibly.waitFor(stage.process());
            String error = StateDir.readOrNull(sd.errorFile());
            int pid = StateDir.readInt(sd.pidFile());
            long started = StateDir.startTime(pid);
            if (code != 0 || error != null || started < 0) {
                throw ContainerException.startFailed("container " + id + ": create failed", error != null ? error
                        : code != 0 ? "dcont-init exited with " + code
                        : "its process ended before start (its stderr says why)");
            }
            PrivateFiles.write(sd.startTimeFile(), (started + "\n").getBytes(StandardCharsets.US_ASCII));
            if (pidFile != null) {
                writePidFile(pidFile, pid);
            }
        } catch (IOException | ContainerException | RuntimeException e) {
            int pid = StateDir.readInt(sd.pidFile());
            if (pid > 0) {
                Libc.get().kill(pid, 9);
            }
            cgroup.destroy();
            StateDir.deleteTree(sd.dir);
            throw e;
        }
        return runtime.state(id);
    }

    /**
     * runc's run in the foreground: create, start, wait for the container's process (this program becomes a
     * child subreaper, so that the process, reparented when the stage exits, is its to wait for), delete. The
     * exit code is the process's (128+N for signal N); signals INT TERM HUP QUIT USR1 USR2 are passed on.
     */
    int runForeground(Path bundle, String id, CreateOptions options) throws IOException, ContainerException {
        if (Libc.get().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            throw new ContainerException("container " + id + ": cannot become a child subreaper: errno "
                    + com.sun.jna.Native.getLastError());
        }
        int pid = create(bundle, id, null, null, options).pid();
        try (SignalForwarder ignored = SignalForwarder.install(pid)) {
            start(id);
            int[] status = new int[1];
            int got;
            do {
                got = Libc.get().waitpid(pid, status, 0);
            } while (got < 0 && com.sun.jna.Native.getLastError() == 4); // EINTR
            if (got != pid) {
                throw new ContainerException("container " + id + ": cannot wait for its process: errno "
                        + com.sun.jna.Native.getLastError());
            }
            int s = status[0];
            return (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
        } finally {
            runtime.delete(id, true);
        }
    }

    private static final int PR_SET_CHILD_SUBREAPER = 36;

    /** As runc: written next to its final name and renamed, so that a reader never sees a part of it. */
    static void writePidFile(Path pidFile, int pid) throws IOException {
        Path abs = pidFile.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(pid));
        Files.move(tmp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads the exec fifo: a named class, not a lambda (no invokedynamic bootstrap on a start's way). */
    private static final class FifoRead implements java.util.concurrent.Callable<byte[]> {
        private final Path fifo;

        FifoRead(Path fifo) {
            this.fifo = fifo;
        }

        @Override
        public byte[] call() throws IOException {
            return Files.readAllBytes(fifo);
        }
    }

    void start(String id) throws IOException, ContainerException {
        ContainerState st = runtime.state(id);
        if (!st.status().equals(ContainerState.CREATED)) {
            throw new ContainerException("container " + id + ": cannot start a container that is " + st.status()
                    + " (only a created one starts)");
        }
        StateDir sd = new StateDir(runtime.stateRoot(), id);
        // opening the fifo blocks until its writer, the waiting process, opens it: on a thread of its own, so
        // that a process that died meanwhile is noticed
        FutureTask<byte[]> read = new FutureTask<>(new FifoRead(sd.execFifo()));
        Thread t = new Thread(read, "dcont-exec-fifo");
        t.setDaemon(true);
        t.start();
        byte[] got = null;
        while (got == null) {
            try {
                got = read.get(10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (StateDir.startTime(st.pid()) < 0) {
                    throw new ContainerException("container " + id + ": its process ended before start");
                }
            } catch (ExecutionException e) {
                throw new ContainerException("container " + id + ": start: " + e.getCause().getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerException("container " + id + ": start interrupted", e);
            }
        }
        Files.deleteIfExists(sd.execFifo());
        if (got.length == 0) {
            throw new ContainerException("container " + id + ": its process ended before start");
        }
        OciHooks.runKept(sd.hooksFile(), "poststart", OciHooks.stateJson(runtime.state(id)));
    }
}
