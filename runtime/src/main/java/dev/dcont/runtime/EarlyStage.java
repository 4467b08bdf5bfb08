package dev.dcont.runtime;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/**
 * The native stage started before its plan exists ({@code dcont-init --await PID PLAN}): starting a process from a
 * JVM costs several milliseconds of the JDK's own set-up, so a helper thread does it while the caller reads the
 * bundle, creates the cgroup and computes the plan. The stage waits until the plan file appears (the caller
 * writes it elsewhere and renames it into place) and exits by itself if this JVM dies first; if planning fails,
 * {@link #cancel} kills it before it has done anything.
 */
final class EarlyStage {
    private final Thread thread;
    private volatile Process process;
    private volatile IOException failure;

    private EarlyStage(ProcessBuilder pb) {
        thread = new Thread(() -> {
            try {
                process = pb.start();
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException("cannot start " + pb.command().get(0) + ": " + e.getMessage(), e);
            }
        }, "dcont-stage-start");
        thread.setDaemon(true);
    }

    static EarlyStage start(Path plan, Redirect in, Redirect out, Redirect err) {
        EarlyStage s = new EarlyStage(new ProcessBuilder(NativeStage.path().toString(), "--await",
                Long.toString(ProcessHandle.current().pid()), plan.toString())
                .redirectInput(in).redirectOutput(out).redirectError(err));
        s.thread.start();
        return s;
    }

    /** The started stage (waiting for its plan, or already running it). */
    Process process() throws IOException {
        joinUninterruptibly();
        if (failure != null) {
            throw failure;
        }
        return process;
    }

    /** Kills the stage (planning failed): it has not read a plan, so nothing else is left to undo. */
    void cancel() {
        joinUninterruptibly();
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            boolean interrupted = false;
            while (true) {
                try {
                    p.waitFor();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void joinUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
