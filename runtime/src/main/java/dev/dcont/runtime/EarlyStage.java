package dev.dcont.runtime;

import java.io.File;
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
    private final Starter starter;
    private final Thread thread;

    /** Starts the stage on its own thread: a named class, not a lambda (no invokedynamic bootstrap on the way). */
    private static final class Starter implements Runnable {
        private final String plan;
        private final Stdio stdio; // null: detached (stdin /dev/null, output discarded)
        volatile Process process;
        volatile IOException failure;

        Starter(String plan, Stdio stdio) {
            this.plan = plan;
            this.stdio = stdio;
        }

        @Override
        public void run() {
            String stage = null;
            try {
                stage = NativeStage.path().toString();
                ProcessBuilder pb = new ProcessBuilder(stage, "--await", Long.toString(ProcessHandle.current().pid()),
                        plan);
                if (stdio != null) {
                    stdio.applyTo(pb);
                } else {
                    pb.redirectInput(Redirect.from(new File("/dev/null")))
                            .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD);
                }
                process = pb.start();
            } catch (IOException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new IOException("cannot start " + (stage == null ? "the native stage" : stage) + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private EarlyStage(Starter starter) {
        this.starter = starter;
        thread = new Thread(starter, "dcont-stage-start");
        thread.setDaemon(true);
    }

    /** Starts the stage for {@code plan} with {@code stdio}, or detached ({@code stdio} null). */
    static EarlyStage start(Path plan, Stdio stdio) {
        EarlyStage s = new EarlyStage(new Starter(plan.toString(), stdio));
        s.thread.start();
        return s;
    }

    /** The started stage (waiting for its plan, or already running it). */
    Process process() throws IOException {
        Uninterruptibly.join(thread);
        if (starter.failure != null) {
            throw starter.failure;
        }
        return starter.process;
    }

    /** Kills the stage (planning failed): it has not read a plan, so nothing else is left to undo. */
    void cancel() {
        Uninterruptibly.join(thread);
        Process p = starter.process;
        if (p != null) {
            p.destroyForcibly();
            Uninterruptibly.waitFor(p);
        }
    }
}
