package dev.dcont.runtime;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;

/** The libc calls of {@link RootFiles}, bound at its first use, and the kernel's numbers they take. */
final class RootSyscalls {
    static final boolean ARM = Platform.isARM();
    static final int O_RDONLY = 0;
    static final int O_NOCTTY = 0400;
    static final int O_NONBLOCK = 04000;
    static final int O_DIRECTORY = ARM ? 040000 : 0200000;
    static final int O_NOFOLLOW = ARM ? 0100000 : 0400000;
    static final int O_CLOEXEC = 02000000;
    static final int O_PATH = 010000000;
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_IN_ROOT = 0x10;
    static final long SYS_OPENAT2 = 437; // one number on every architecture
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final long PROC_SUPER_MAGIC = 0x9fa0;
    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int EEXIST = 17;
    static final int EXDEV = 18;
    static final int ENOTDIR = 20;
    static final int ENOSYS = 38;
    static final int ELOOP = 40;

    static {
        // the class named: otherwise JNA finds its caller by walking the stack, whose first use is slow
        Native.register(RootSyscalls.class, Platform.C_LIBRARY_NAME);
    }

    static native int open(String path, int flags, int mode) throws LastErrorException;

    static native int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

    static native long syscall(long number, long dirfd, String path, long[] how, long size)
            throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int statx(int dirfd, String path, int flags, int mask, byte[] buf)
            throws LastErrorException;

    static native int fstatfs(int fd, byte[] buf) throws LastErrorException;

    static native long readlinkat(int dirfd, String path, byte[] buf, long size) throws LastErrorException;

    static native int mkdirat(int dirfd, String path, int mode) throws LastErrorException;

    static native int fchown(int fd, int uid, int gid) throws LastErrorException;

    static native int fchmod(int fd, int mode) throws LastErrorException;

    static native long read(int fd, byte[] buf, long count) throws LastErrorException;

    private RootSyscalls() {}

    static boolean onProcfs(int fd) {
        byte[] buf = new byte[256];
        fstatfs(fd, buf);
        // f_type is the first field, a long on the 64-bit ABIs and an int on the 32-bit ones
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        long type = Native.LONG_SIZE == 8 ? b.getLong(0) : b.getInt(0);
        return type == PROC_SUPER_MAGIC;
    }

    static String readLink(int fd) {
        byte[] buf = new byte[4096];
        long n = readlinkat(fd, "", buf, buf.length);
        return new String(buf, 0, (int) n, Charset.forName(Native.getDefaultStringEncoding()));
    }

    static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                close(fd);
            } catch (LastErrorException ignored) {
                // nothing was written through these descriptors
            }
        }
    }

    static String describe(int errno) {
        return switch (errno) {
            case ENOENT -> "no such file or directory (ENOENT)";
            case EAGAIN -> "changed while it was resolved, again and again (EAGAIN)";
            case 13 -> "permission denied (EACCES)";
            case EXDEV -> "leads out of the root (EXDEV)";
            case ENOTDIR -> "not a directory (ENOTDIR)";
            case 28 -> "no space left on device (ENOSPC)";
            case 30 -> "read-only file system (EROFS)";
            case ELOOP -> "too many levels of symbolic links, or a link through /proc (ELOOP)";
            default -> "errno " + errno;
        };
    }

    /** The fields of {@code statx} that are used here (its layout is the same on every architecture). */
    record Stat(int type, long ino, long size, long dev) {
        static Stat of(int fd) {
            byte[] buf = new byte[256];
            statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf);
            ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
            int mode = b.getShort(28) & 0xffff;
            long dev = ((long) b.getInt(136) << 32) | (b.getInt(140) & 0xffffffffL);
            return new Stat(mode & S_IFMT, b.getLong(32), b.getLong(40), dev);
        }
    }
}
