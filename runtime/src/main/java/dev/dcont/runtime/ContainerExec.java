package dev.dcont.runtime;

import dev.dcont.runtime.launch.LaunchPlanner;
import dev.dcont.runtime.launch.PlanWriter;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.Linux;
import dev.dcont.runtime.spec.PrivateFiles;
import dev.dcont.runtime.spec.ProcessSpec;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A process run in a running container ({@link ContainerRuntime#exec} and {@code execDetached}). */
final class ContainerExec {
    private static final AtomicInteger EXEC_SEQ = new AtomicInteger();

    private final ContainerRuntime runtime;
    private final HostCgroups cgroups;

    ContainerExec(ContainerRuntime runtime, HostCgroups cgroups) {
        this.runtime = runtime;
        this.cgroups = cgroups;
    }

    /** With {@code detachedPid}, runc's exec --detach: its pid goes there and the return is 0 once it runs. */
    int exec(String id, ProcessSpec process, Stdio stdio, int[] detachedPid, Path consoleSocket, int preserveFds)
            throws IOException, ContainerException {
        StateDir sd = runtime.existing(id);
        ContainerState st = runtime.state(id);
        if (!st.status().equals(ContainerState.RUNNING)) {
            throw new ContainerException("container " + id + ": cannot exec, it is " + st.status());
        }
        StateDir.Stored s = ContainerRuntime.stored(sd);
        Path execDir = sd.dir.resolve("exec-" + ProcessHandle.current().pid() + "-" + EXEC_SEQ.incrementAndGet());
        PrivateFiles.createDirectories(execDir);
        try {
            // the container's own filter, from its spec: an exec'd process is confined as its init is
            Linux linux = SpecMaps.readSpec(Path.of(s.bundle(), "config.json")).linux();
            PlanWriter plan = new PlanWriter();
            new LaunchPlanner(cgroups.get().mountLayout()).planExec(st.pid(), s.namespaces(), process,
                    linux == null ? null : linux.seccomp(),
                    new LaunchPlanner.MonitorSettings(execDir.toString(), s.cgroupProcs(), List.of(), null)
                            // runc's --no-new-keyring at create holds for the execs too
                            .withSessionKeyring(s.noNewKeyring() ? null : ContainerCreation.sessionKeyring(id))
                            .withSeccompCache(StateDir.seccompCache(runtime.stateRoot()))
                            .withPreservedFds(ContainerCreation.preserved(preserveFds))
                            .withStdinOpen(detachedPid == null && stdio.input())
                            .withOci(detachedPid == null ? null : LaunchPlanner.OciCreate.detachedExec(
                                    consoleSocket == null ? null : consoleSocket.toAbsolutePath().toString())),
                    plan);
            Path planFile = execDir.resolve("plan");
            PrivateFiles.write(planFile, plan.toBytes());
            Process monitor = stdio.applyTo(new ProcessBuilder(NativeStage.path().toString(), planFile.toString()))
                    .start();
            int code;
            try (SignalForwarder ignored = SignalForwarder.install(monitor.pid())) {
                code = Uninterruptibly.waitFor(monitor);
            }
            String error = StateDir.readOrNull(execDir.resolve("error"));
            if (error != null) {
                throw ContainerException.startFailed("container " + id + ": exec failed", error);
            }
            if (detachedPid != null) {
                detachedPid[0] = StateDir.readInt(execDir.resolve("pid"));
                if (code != 0 || detachedPid[0] <= 0) {
                    throw new ContainerException("container " + id + ": exec failed: dcont-init exited with " + code);
                }
            }
            return code;
        } catch (IllegalArgumentException e) {
            throw new ContainerException("container " + id + ": exec: " + e.getMessage(), e);
        } finally {
            StateDir.deleteTree(execDir);
        }
    }
}
