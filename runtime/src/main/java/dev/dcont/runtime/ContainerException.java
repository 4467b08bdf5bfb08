package dev.dcont.runtime;

/** A container could not be created, started, signalled or removed; the message says which and why. */
public class ContainerException extends Exception {
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;
    private int execErrno;

    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }

    /** errno of a failed execve of the container's command, or 0. */
    public int execErrno() {
        return execErrno;
    }

    /**
     * A failed start (or exec) reported by the native stage. Its text may start with
     * {@code exec-errno N: } (the command could not be executed, errno N), which is taken off the message.
     */
    public static ContainerException startFailed(String what, String error) {
        String text = error.strip();
        int errno = 0;
        if (text.startsWith("exec-errno ")) {
            int colon = text.indexOf(':');
            try {
                errno = Integer.parseInt(text.substring("exec-errno ".length(), colon));
                text = text.substring(colon + 1).strip();
            } catch (RuntimeException malformed) {
                errno = 0;
            }
        }
        ContainerException e = new ContainerException(what + ": " + text);
        e.execErrno = errno;
        return e;
    }

    /**
     * The exit code Docker gives this failure: 127 when the command was not found (ENOENT, ENOTDIR),
     * 126 when it could not be executed (any other execve error), 125 for any other failure to start.
     */
    public int dockerExitCode() {
        if (execErrno == 0) {
            return 125;
        }
        return execErrno == ENOENT || execErrno == ENOTDIR ? 127 : 126;
    }
}
