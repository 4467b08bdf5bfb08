package dev.dcont.runtime;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few libc calls the Java side makes itself (loaded lazily: the run path does not need JNA). */
interface Libc extends Library {
    int kill(int pid, int sig);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int waitpid(int pid, int[] status, int options);

    int open(String path, int flags);

    int close(int fd);

    int isatty(int fd);

    int tcgetattr(int fd, byte[] termios);

    int tcsetattr(int fd, int when, byte[] termios);

    void cfmakeraw(byte[] termios);

    int ioctl(int fd, long request, short[] arg);

    final class Holder {
        static final Libc LIBC = Native.load("c", Libc.class);

        private Holder() {}
    }

    static Libc get() {
        return Holder.LIBC;
    }
}
