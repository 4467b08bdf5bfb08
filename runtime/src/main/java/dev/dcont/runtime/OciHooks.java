package dev.dcont.runtime;

import dev.dcont.runtime.launch.LaunchPlanner;
import dev.dcont.runtime.spec.ContainerState;
import dev.dcont.runtime.spec.SpecMaps;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runtime-spec hooks of a container (config.md, "POSIX-platform Hooks"): read from config.json, handed to
 * the native stage for the ones that run while the container is made (createRuntime, prestart, createContainer,
 * startContainer), kept in the state directory for the ones the runtime runs itself later (poststart after
 * start, poststop after delete).
 */
final class OciHooks {
    /** One hook: {@code args} is its argv, argv[0] included (empty: the path). */
    record Hook(String path, List<String> args, List<String> env, int timeout) {}

    static final List<String> KINDS = List.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");

    private final Map<String, List<Hook>> byKind;

    private OciHooks(Map<String, List<Hook>> byKind) {
        this.byKind = byKind;
    }

    List<Hook> of(String kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    /**
     * The {@code hooks} object of config.json (null: none); a hook without an absolute path is refused, a kind
     * this runtime does not know is ignored (as any unknown property of the spec).
     */
    static OciHooks parse(Object hooks) {
        Map<String, List<Hook>> out = new LinkedHashMap<>();
        if (hooks == null) {
            return new OciHooks(out);
        }
        for (Map.Entry<String, Object> e : SpecMaps.obj(hooks, "hooks").entrySet()) {
            if (!KINDS.contains(e.getKey())) {
                continue; // the runtime-spec: an unknown property is ignored, not an error
            }
            List<Hook> list = new ArrayList<>();
            for (Object o : SpecMaps.list(e.getValue(), "hooks." + e.getKey())) {
                Map<String, Object> h = SpecMaps.obj(o, "hooks." + e.getKey() + "[]");
                String path = SpecMaps.str(h.get("path"));
                if (path == null || !path.startsWith("/")) {
                    throw new IllegalArgumentException("hooks." + e.getKey() + ": a hook needs an absolute path, not "
                            + path);
                }
                long timeout = SpecMaps.lng(h.get("timeout"), 0);
                if (timeout < 0 || timeout > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("hooks." + e.getKey() + ": timeout must be a positive number"
                            + " of seconds, not " + timeout);
                }
                List<String> args = SpecMaps.strings(h.get("args"));
                List<String> env = SpecMaps.strings(h.get("env"));
                list.add(new Hook(path, args == null ? List.of() : args, env == null ? List.of() : env,
                        (int) timeout));
            }
            out.put(e.getKey(), list);
        }
        return new OciHooks(out);
    }

    /** The hooks the runtime runs itself (poststart, poststop), as the state directory keeps them. */
    Map<String, Object> kept() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String kind : List.of("poststart", "poststop")) {
            List<Object> l = new ArrayList<>();
            for (Hook h : of(kind)) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("path", h.path());
                o.put("args", h.args());
                o.put("env", h.env());
                o.put("timeout", h.timeout());
                l.add(o);
            }
            if (!l.isEmpty()) {
                m.put(kind, l);
            }
        }
        return m;
    }

    /** The state a hook gets, around the pid (which only the stage knows when the hook runs). */
    static String[] statePieces(String ociVersion, String id, String status, String bundle,
                                Map<String, String> annotations) throws IOException {
        String json = stateJson(new ContainerState(ociVersion, id, status, 0, bundle, annotations));
        int at = json.indexOf("\"pid\": 0") + "\"pid\": ".length();
        return new String[] {json.substring(0, at), json.substring(at + 1)};
    }

    static String stateJson(ContainerState st) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", st.ociVersion());
        m.put("id", st.id());
        m.put("status", st.status());
        m.put("pid", st.pid());
        m.put("bundle", st.bundle());
        m.put("annotations", st.annotations() == null ? Map.of() : st.annotations());
        return SpecMaps.toJson(m);
    }

    static List<LaunchPlanner.Hook> planned(List<Hook> hooks, String[] state) {
        List<LaunchPlanner.Hook> out = new ArrayList<>(hooks.size());
        for (Hook h : hooks) {
            out.add(new LaunchPlanner.Hook(state[0], state[1], h.timeout(), h.path(), h.args(), h.env()));
        }
        return out;
    }

    /**
     * Runs hook {@code h} from here with {@code state} on stdin; its output goes to this program's stderr.
     * Throws when it cannot be started, fails, or outlives its timeout (then it is killed). Java cannot give a
     * program an argv[0] other than its path, so the hook's argv[0] is its path.
     */
    static void run(String kind, Hook h, String state) throws ContainerException {
        List<String> cmd = new ArrayList<>();
        cmd.add(h.path());
        if (h.args().size() > 1) {
            cmd.addAll(h.args().subList(1, h.args().size()));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT);
        pb.environment().clear();
        for (String e : h.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        try {
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(state.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // a hook that does not read its state
            }
            boolean done = h.timeout() > 0 ? p.waitFor(h.timeout(), TimeUnit.SECONDS) : p.waitFor() >= 0;
            if (!done) {
                p.destroyForcibly();
                p.waitFor();
                throw new ContainerException(kind + " hook " + h.path() + ": timed out after " + h.timeout() + " s");
            }
            if (p.exitValue() != 0) {
                throw new ContainerException(kind + " hook " + h.path() + ": exited with " + p.exitValue());
            }
        } catch (IOException e) {
            throw new ContainerException(kind + " hook " + h.path() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerException(kind + " hook " + h.path() + ": interrupted", e);
        }
    }

    /** Runs the kept hooks of {@code kind}; a failure is a warning on stderr (poststart, poststop). */
    static void runKept(Path file, String kind, String state) {
        if (!java.nio.file.Files.exists(file)) {
            return;
        }
        Map<String, Object> kept;
        try {
            kept = SpecMaps.readObject(file);
        } catch (IOException e) {
            System.err.println("dcont-runtime: warning: " + kind + " hooks: " + e.getMessage());
            return;
        }
        for (Hook h : parse(kept).of(kind)) {
            try {
                run(kind, h, state);
            } catch (ContainerException e) {
                System.err.println("dcont-runtime: warning: " + e.getMessage());
            }
        }
    }

    /** Removes the state directory {@code sd}, then runs the poststop hooks it kept (a failure is a warning). */
    static void removeThenPoststop(StateDir sd, ContainerState stopped) throws IOException {
        Path kept = sd.dir.resolveSibling("." + stopped.id() + ".hooks");
        boolean poststop = java.nio.file.Files.exists(sd.hooksFile());
        if (poststop) {
            java.nio.file.Files.move(sd.hooksFile(), kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        StateDir.deleteTree(sd.dir);
        if (poststop) {
            try {
                runKept(kept, "poststop", stateJson(stopped));
            } finally {
                java.nio.file.Files.deleteIfExists(kept);
            }
        }
    }
}
