package dev.dcont.runtime;

import static dev.dcont.runtime.RootSyscalls.*;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A container's root file system held as a directory descriptor, and what the Java side does inside it: read a
 * small regular file ({@code /etc/passwd}) and make a chain of directories (the working directory). A process of
 * the container, or of another container sharing a volume, can change the tree at any moment, so a path is never
 * checked first and used later: it is resolved inside the root when it is used and acted on through descriptors.
 *
 * <p>Resolution is {@code openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)} where the kernel has it, else a walk
 * of one {@code openat(O_PATH | O_NOFOLLOW)} per component holding each directory's descriptor: an absolute
 * symlink restarts at the root, ".." pops a held descriptor and never goes above the root (no {@code openat("..")},
 * so a directory moved away cannot lead out), and a symlink on procfs (the magic links) is refused. Both give
 * ELOOP after 40 links, as the kernel does.
 *
 * <p>Its native calls are bound when the class is first used, so a command that does not need it (a plain
 * {@code run}: an id for the user, an existing working directory) does not pay for binding them.
 */
public final class RootFiles implements AutoCloseable {
    private static final int MAX_LINKS = 40;
    private static final int MAX_RETRIES = 40;
    private static final int DIR_MODE = 0755;

    /** False once the kernel answered ENOSYS: every later resolution walks. */
    private static volatile boolean openat2Works = true;

    private final int rootFd;
    private final boolean tryOpenat2;
    private boolean closed;

    private RootFiles(int rootFd, boolean tryOpenat2) {
        this.rootFd = rootFd;
        this.tryOpenat2 = tryOpenat2;
    }

    /** Opens {@code root} (a host path the caller trusts, such as the store's mount point) as the root. */
    public static RootFiles open(Path root) throws IOException {
        return open(root, true);
    }

    /** With {@code tryOpenat2} false, every resolution walks component by component (the older kernels' way). */
    static RootFiles open(Path root, boolean tryOpenat2) throws IOException {
        try {
            return new RootFiles(RootSyscalls.open(root.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0), tryOpenat2);
        } catch (LastErrorException e) {
            throw new IOException("container root " + root + ": " + describe(e.getErrorCode()));
        }
    }

    /** Whether resolutions through this root use {@code openat2}. */
    boolean usesOpenat2() {
        return tryOpenat2 && openat2Works;
    }

    /**
     * The bytes of the regular file at {@code path} (a path in the container; symlinks are followed inside the
     * root), or null when there is none: missing, a directory, device, FIFO or socket, a symlink loop or a
     * magic link. The file is opened with {@code O_PATH} and checked before it is opened for reading, so a
     * device node is never opened; a FIFO could not block the read either ({@code O_NONBLOCK}).
     *
     * @throws IOException when the file is larger than {@code maxBytes} or cannot be read
     */
    public byte[] readRegularFile(String path, int maxBytes) throws IOException {
        int fd;
        try {
            fd = resolve(path, false, 0, 0, new int[1]);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EXDEV) {
                return null;
            }
            throw failure(path, e);
        }
        try {
            RootSyscalls.Stat before = RootSyscalls.Stat.of(fd);
            if (before.type() != S_IFREG) {
                return null;
            }
            if (before.size() > maxBytes) {
                throw new IOException(inContainer(path) + ": over " + maxBytes + " bytes");
            }
            // reopened through the descriptor itself, not the path: the same inode whatever the tree did since
            int in = RootSyscalls.open("/proc/self/fd/" + fd, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
            try {
                RootSyscalls.Stat opened = RootSyscalls.Stat.of(in);
                if (opened.type() != S_IFREG || opened.ino() != before.ino() || opened.dev() != before.dev()) {
                    return null;
                }
                return readAtMost(in, maxBytes, path);
            } finally {
                closeQuietly(in);
            }
        } catch (LastErrorException e) {
            throw failure(path, e);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * Makes the directory {@code path} (a path in the container) and each missing parent, resolved inside the
     * root as they are made: each with {@code mkdirat} on its parent's descriptor, then opened without following
     * a link and given {@code uid}, {@code gid} and mode 0755 through that descriptor.
     *
     * @return whether a directory was made
     */
    public boolean makeDirectories(String path, int uid, int gid) throws IOException {
        try {
            int[] made = {0};
            closeQuietly(resolve(path, true, uid, gid, made));
            return made[0] > 0;
        } catch (LastErrorException e) {
            throw failure(path, e);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(rootFd);
        }
    }

    /** An {@code O_PATH} descriptor (or, for a directory made here, an {@code O_RDONLY} one) of {@code path}. */
    private int resolve(String path, boolean create, int uid, int gid, int[] made) {
        if (usesOpenat2()) {
            long[] how = {O_PATH | O_CLOEXEC | (create ? O_DIRECTORY : 0), 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
            for (int attempt = 0; ; attempt++) {
                try {
                    return (int) syscall(SYS_OPENAT2, rootFd, path, how, 24);
                } catch (LastErrorException e) {
                    int errno = e.getErrorCode();
                    if (errno == ENOSYS) {
                        openat2Works = false;
                        break;
                    }
                    // EAGAIN: a rename or mount inside the root raced the lookup
                    if (errno == EAGAIN && attempt < MAX_RETRIES) {
                        continue;
                    }
                    if (errno == ENOENT && create) {
                        break; // the walk makes what is missing
                    }
                    throw e;
                }
            }
        }
        return walk(path, create, uid, gid, made);
    }

    private int walk(String path, boolean create, int uid, int gid, int[] made) {
        Deque<Integer> held = new ArrayDeque<>(); // descriptors of the directories below the root, in order
        Deque<String> todo = new ArrayDeque<>();
        push(todo, path);
        int last = -1; // the descriptor of the last component when it is not a directory
        int links = 0;
        int retries = 0;
        try {
            while (!todo.isEmpty()) {
                String part = todo.pollFirst();
                if (part.isEmpty()) {
                    continue;
                }
                if (last >= 0) {
                    throw new LastErrorException(ENOTDIR);
                }
                if (part.equals(".")) {
                    continue;
                }
                if (part.equals("..")) {
                    if (!held.isEmpty()) {
                        closeQuietly(held.pollLast());
                    }
                    continue;
                }
                int parent = held.isEmpty() ? rootFd : held.peekLast();
                int fd;
                try {
                    fd = openat(parent, part, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != ENOENT || !create) {
                        throw e;
                    }
                    fd = makeDirectory(parent, part, uid, gid);
                    if (fd < 0) {
                        if (++retries > MAX_RETRIES) {
                            throw new LastErrorException(EAGAIN);
                        }
                        todo.addFirst(part); // something else appeared there meanwhile: look again
                    } else {
                        made[0]++;
                        held.addLast(fd);
                    }
                    continue;
                }
                int type;
                try {
                    type = RootSyscalls.Stat.of(fd).type();
                } catch (LastErrorException e) {
                    closeQuietly(fd);
                    throw e;
                }
                if (type == S_IFDIR) {
                    held.addLast(fd);
                } else if (type == S_IFLNK) {
                    try {
                        if (++links > MAX_LINKS || onProcfs(fd)) {
                            throw new LastErrorException(ELOOP);
                        }
                        String target = readLink(fd);
                        if (target.isEmpty()) {
                            throw new LastErrorException(ENOENT);
                        }
                        if (target.startsWith("/")) {
                            closeAll(held);
                        }
                        push(todo, target);
                    } finally {
                        closeQuietly(fd);
                    }
                } else {
                    last = fd;
                }
            }
            if (last >= 0) {
                if (create) {
                    throw new LastErrorException(ENOTDIR);
                }
                int out = last;
                last = -1;
                return out;
            }
            if (held.isEmpty()) {
                return openat(rootFd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            }
            return held.pollLast();
        } finally {
            closeQuietly(last);
            closeAll(held);
        }
    }

    /** A new directory's descriptor, or -1 when {@code name} was taken or replaced before it could be opened. */
    private static int makeDirectory(int parent, String name, int uid, int gid) {
        try {
            mkdirat(parent, name, DIR_MODE);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EEXIST) {
                return -1;
            }
            throw e;
        }
        int fd;
        try {
            fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
                return -1;
            }
            throw e;
        }
        try {
            fchown(fd, uid, gid);
            fchmod(fd, DIR_MODE); // mkdirat's mode passed through the umask
            return fd;
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    private static byte[] readAtMost(int fd, int maxBytes, String path) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        while (true) {
            long n = read(fd, buf, buf.length);
            if (n == 0) {
                return out.toByteArray();
            }
            if (out.size() + n > maxBytes) {
                throw new IOException(inContainer(path) + ": over " + maxBytes + " bytes");
            }
            out.write(buf, 0, (int) n);
        }
    }

    private static void push(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }

    private static void closeAll(Deque<Integer> fds) {
        while (!fds.isEmpty()) {
            closeQuietly(fds.pollLast());
        }
    }

    private static IOException failure(String path, LastErrorException e) {
        return new IOException(inContainer(path) + ": " + describe(e.getErrorCode()));
    }

    private static String inContainer(String path) {
        return path.startsWith("/") ? path : "/" + path;
    }
}
