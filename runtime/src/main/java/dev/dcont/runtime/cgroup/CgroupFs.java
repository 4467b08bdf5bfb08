package dev.dcont.runtime.cgroup;

import java.io.IOException;
import java.nio.file.Path;

/** The few file operations a cgroup manager needs; a cgroupfs behaves differently from a plain directory. */
public interface CgroupFs {
    boolean exists(Path p);

    /** Creates a cgroup directory (the kernel populates its interface files). Existing is fine. */
    void mkdir(Path dir) throws IOException;

    /** Removes a cgroup directory; fails while it has processes or children. */
    void rmdir(Path dir) throws IOException;

    String read(Path file) throws IOException;

    /** Writes to an existing interface file; never creates one. */
    void write(Path file, String value) throws IOException;
}
