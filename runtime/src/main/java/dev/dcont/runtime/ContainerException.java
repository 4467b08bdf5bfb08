package dev.dcont.runtime;

/** A container could not be created, started, signalled or removed; the message says which and why. */
public class ContainerException extends Exception {
    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
