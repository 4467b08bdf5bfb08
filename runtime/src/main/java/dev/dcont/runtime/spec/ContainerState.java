package dev.dcont.runtime.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The state of a container as the OCI runtime spec defines it ({@code runc state} prints the same shape).
 * {@code status} is one of creating, created, running, stopped; {@code pid} is 0 when there is no process.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerState(
        String ociVersion, String id, String status, int pid, String bundle, Map<String, String> annotations) {

    public static final String CREATING = "creating";
    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
}
