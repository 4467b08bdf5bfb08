package dev.dcont.runtime;

/**
 * The caller's terminal in raw mode while its keys go to a container's terminal (attach to a {@code -t}
 * container), as the monitor makes it for a foreground run (monitor.c): every key reaches the container, which
 * echoes and edits itself. Restored when closed, and when the JVM exits without closing it.
 */
public final class RawTerminal implements AutoCloseable {
    private static final int TCSANOW = 0;
    private static final long TIOCGWINSZ = 0x5413;
    // struct termios is 60 bytes on Linux's glibc; room to spare
    private static final int TERMIOS_SIZE = 128;

    private final int fd;
    private final byte[] saved;
    private final Thread restoreAtExit;
    private boolean restored;

    private RawTerminal(int fd, byte[] saved) {
        this.fd = fd;
        this.saved = saved;
        this.restoreAtExit = new Thread(this::restore, "dcont-terminal-restore");
        Runtime.getRuntime().addShutdownHook(restoreAtExit);
    }

    /** Puts {@code fd} in raw mode; null when it is no terminal (nothing changes then). */
    public static RawTerminal enter(int fd) {
        Libc libc = Libc.get();
        byte[] saved = new byte[TERMIOS_SIZE];
        if (libc.isatty(fd) != 1 || libc.tcgetattr(fd, saved) != 0) {
            return null;
        }
        byte[] raw = saved.clone();
        libc.cfmakeraw(raw);
        if (libc.tcsetattr(fd, TCSANOW, raw) != 0) {
            return null;
        }
        return new RawTerminal(fd, saved);
    }

    /** The terminal's rows and columns; null when they cannot be read. */
    public int[] size() {
        short[] ws = new short[4];
        if (Libc.get().ioctl(fd, TIOCGWINSZ, ws) != 0) {
            return null;
        }
        return new int[] {Short.toUnsignedInt(ws[0]), Short.toUnsignedInt(ws[1])};
    }

    private synchronized void restore() {
        if (!restored) {
            restored = true;
            Libc.get().tcsetattr(fd, TCSANOW, saved);
        }
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreAtExit);
        } catch (IllegalStateException exiting) {
            // the hook runs anyway, and finds it restored
        }
    }
}
