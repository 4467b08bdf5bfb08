package dev.dcont.runtime;

import dev.dcont.runtime.cgroup.Cgroups;

/**
 * The host's cgroup layout, read once: a start reads it on a side thread while it reads the bundle
 * ({@link #detectAhead}), anything else when it first needs it. The side thread is a named class, not a lambda:
 * see docs/runtime.md, Start latency.
 */
final class HostCgroups {
    private Cgroups cgroups;
    private Thread detecting;
    private volatile Cgroups detected;
    private volatile RuntimeException detectFailure;

    /** {@code known}: the layout, or null to detect it. */
    HostCgroups(Cgroups known) {
        this.cgroups = known;
    }

    /** Starts reading the layout on a side thread, unless it is known or being read. */
    synchronized void detectAhead() {
        if (cgroups != null || detecting != null) {
            return;
        }
        detecting = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    detected = Cgroups.detect();
                } catch (RuntimeException e) {
                    detectFailure = e;
                }
            }
        }, "dcont-cgroup-detect");
        detecting.setDaemon(true);
        detecting.start();
    }

    /** The layout, waiting for the side thread if one reads it. */
    synchronized Cgroups get() {
        if (cgroups == null) {
            if (detecting != null) {
                Uninterruptibly.join(detecting);
                detecting = null;
                if (detectFailure != null) {
                    RuntimeException e = detectFailure;
                    detectFailure = null;
                    throw e;
                }
                cgroups = detected;
            } else {
                cgroups = Cgroups.detect();
            }
        }
        return cgroups;
    }
}
