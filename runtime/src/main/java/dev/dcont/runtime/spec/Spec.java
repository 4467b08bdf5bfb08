package dev.dcont.runtime.spec;

import java.util.List;
import java.util.Map;

/** The root of an OCI runtime-spec {@code config.json}. Only the fields dcont acts on are modelled. */
public record Spec(
        String ociVersion,
        Root root,
        ProcessSpec process,
        String hostname,
        String domainname,
        List<Mount> mounts,
        Linux linux,
        Map<String, String> annotations) {

    public Spec withProcess(ProcessSpec p) {
        return new Spec(ociVersion, root, p, hostname, domainname, mounts, linux, annotations);
    }

    public Spec withLinux(Linux l) {
        return new Spec(ociVersion, root, process, hostname, domainname, mounts, l, annotations);
    }

    public Spec withHostname(String h) {
        return new Spec(ociVersion, root, process, h, domainname, mounts, linux, annotations);
    }

    public Spec withMounts(List<Mount> m) {
        return new Spec(ociVersion, root, process, hostname, domainname, m, linux, annotations);
    }

    public Spec withRoot(Root r) {
        return new Spec(ociVersion, r, process, hostname, domainname, mounts, linux, annotations);
    }

    /** The spec with annotation {@code key} set to {@code value}. */
    public Spec withAnnotation(String key, String value) {
        java.util.Map<String, String> a = new java.util.LinkedHashMap<>(annotations == null ? java.util.Map.of() : annotations);
        a.put(key, value);
        return new Spec(ociVersion, root, process, hostname, domainname, mounts, linux, a);
    }

    /** Annotation {@code key}, or null. */
    public String annotation(String key) {
        return annotations == null ? null : annotations.get(key);
    }

    public record Root(String path, Boolean readonly) {
        public boolean isReadonly() {
            return Boolean.TRUE.equals(readonly);
        }
    }

    public record Mount(String destination, String type, String source, List<String> options) {}
}
