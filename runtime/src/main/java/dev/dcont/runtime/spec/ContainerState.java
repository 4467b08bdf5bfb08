package dev.dcont.runtime.spec;

import java.util.Map;

/**
 * The state of a container as the OCI runtime spec defines it ({@code runc state} prints the same shape).
 * {@code status} is one of creating, created, running, paused, stopped; {@code pid} is 0 when there is no process.
 */
public record ContainerState(
        String ociVersion, String id, String status, int pid, String bundle, Map<String, String> annotations) {

    public static final String CREATING = "creating";
    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String PAUSED = "paused";
}
