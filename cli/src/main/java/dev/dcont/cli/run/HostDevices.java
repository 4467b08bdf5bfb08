package dev.dcont.cli.run;

import dev.dcont.runtime.spec.Linux;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's device nodes, for {@code --privileged}: Docker gives a privileged container every character and block
 * device under the host's /dev (moby's HostDevices): the same walk, skipping the same directories (pts, shm,
 * mqueue, fd and the container managers' own) and /dev/console, and taking each node's type, numbers, permission
 * bits and owner. Symbolic links and other files are left out.
 */
public final class HostDevices {
    private static final Set<String> SKIPPED_DIRS = Set.of("pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts",
            ".udev");
    private static final int S_IFMT = 0170000, S_IFCHR = 0020000, S_IFBLK = 0060000;

    private HostDevices() {}

    public static List<Linux.Device> under(Path dev) throws IOException {
        List<Linux.Device> out = new ArrayList<>();
        walk(dev, dev, out);
        return out;
    }

    private static void walk(Path top, Path dir, List<Linux.Device> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                Map<String, Object> a;
                try {
                    a = Files.readAttributes(p, "unix:mode,rdev,uid,gid", LinkOption.NOFOLLOW_LINKS);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // a node removed while walking
                }
                int mode = (Integer) a.get("mode");
                if ((mode & S_IFMT) == 0040000) {
                    if (!SKIPPED_DIRS.contains(name)) {
                        walk(top, p, out);
                    }
                    continue;
                }
                int type = mode & S_IFMT;
                if ((type != S_IFCHR && type != S_IFBLK) || (dir.equals(top) && name.equals("console"))) {
                    continue;
                }
                long rdev = (Long) a.get("rdev");
                out.add(new Linux.Device("/dev/" + top.relativize(p), type == S_IFCHR ? "c" : "b", major(rdev),
                        minor(rdev), mode & 07777, (long) (Integer) a.get("uid"), (long) (Integer) a.get("gid")));
            }
        }
    }

    /** glibc's gnu_dev_major and gnu_dev_minor. */
    static long major(long rdev) {
        return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    }

    static long minor(long rdev) {
        return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
    }
}
