package dev.dcont.runtime.cgroup;

import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** One container's cgroup, in whichever cgroup version the host runs. */
public interface CgroupManager {
    /** Creates the cgroup (and missing ancestors) and applies {@code resources} (may be null). */
    void create(Linux.Resources resources) throws IOException;

    /** The cgroup.procs files a process is written into to join the cgroup (one per v1 hierarchy). */
    List<Path> procsFiles();

    /** The cgroup directories of this container, to be removed in the reverse order. */
    List<Path> directories();

    boolean exists();

    /** Pids of the processes in the cgroup. */
    List<Integer> pids() throws IOException;

    /** Whether the kernel's OOM killer killed a process of this cgroup. */
    boolean oomKilled() throws IOException;

    /** Removes the cgroup, waiting briefly for exiting processes; no error if it is gone already. */
    void destroy() throws IOException;

    /**
     * The cgroup directory a device filter program is attached to (cgroup v2, which has no devices files), or null
     * where {@link #create} writes the device rules itself (v1).
     */
    default Path deviceFilterCgroup() {
        return null;
    }

    /**
     * Applies {@code resources} to the existing cgroup as {@link #create} does: memory limit and swap, CPU quota,
     * period and shares, pids limit; what is null stays as it is. Device rules are not changed.
     */
    void update(Linux.Resources resources) throws IOException;

    /**
     * Freezes every process of the cgroup (and of its descendants) and returns once the kernel reports the cgroup
     * frozen; if it does not get there in time, thaws it again and throws.
     */
    void freeze() throws IOException;

    /** Thaws the cgroup and returns once the kernel reports it no longer frozen. */
    void thaw() throws IOException;

    /** Whether the kernel reports the cgroup frozen; false where it does not exist or has no freezer. */
    boolean frozen() throws IOException;

    /** The value a limit file holds, e.g. memory limit; for tests and inspection. */
    String read(String file) throws IOException;
}
