package dev.dcont.runtime;

/** Waits that an interrupt does not cut short: the interrupt is kept for the caller and the wait goes on. */
final class Uninterruptibly {
    private Uninterruptibly() {}

    /** The exit code of {@code p}, once it has ended. */
    static int waitFor(Process p) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return p.waitFor();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Returns once {@code t} has ended. */
    static void join(Thread t) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    t.join();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
