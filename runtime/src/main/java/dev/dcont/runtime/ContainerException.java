package dev.dcont.runtime;

/** A container could not be created, started, signalled or removed; the message says which and why. */
public class ContainerException extends Exception {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The exit code Docker gives this failure: 127 when the command was not found, 126 when it
     * could not be executed, 125 for any other failure to start. The native stage words its exec
     * failures as {@code exec <file>: <strerror>} (see {@code do_exec} in dcont-init.c).
     */
    public int dockerExitCode() {
        String m = String.valueOf(getMessage());
        int at = m.indexOf("exec ");
        if (at < 0) {
            return 125;
        }
        String tail = m.substring(at);
        if (tail.contains("not found in PATH") || tail.contains("No such file or directory")
                || tail.contains("Not a directory")) {
            return 127;
        }
        if (tail.contains("Permission denied") || tail.contains("Exec format error") || tail.contains("Is a directory")) {
            return 126;
        }
        return 125;
    }
}
