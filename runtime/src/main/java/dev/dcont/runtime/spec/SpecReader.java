package dev.dcont.runtime.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads config.json into the {@link Spec} records without jackson-databind (see {@link JsonTree}). It reads the
 * same fields the records declare; {@code SpecReaderTest} checks it agrees with databind on full specs.
 */
public final class SpecReader {
    private SpecReader() {}

    public static Spec read(Path configJson) throws IOException {
        Object tree = JsonTree.parse(Files.readAllBytes(configJson));
        try {
            return spec(obj(tree, "config"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IOException(configJson + ": not a runtime spec: " + e.getMessage(), e);
        }
    }

    static Spec spec(Map<String, Object> m) {
        Map<String, Object> root = obj(m.get("root"), "root");
        Map<String, Object> linux = obj(m.get("linux"), "linux");
        List<Spec.Mount> mounts = null;
        if (m.get("mounts") != null) {
            mounts = new ArrayList<>();
            for (Object o : list(m.get("mounts"))) {
                Map<String, Object> mm = obj(o, "mount");
                mounts.add(new Spec.Mount(str(mm.get("destination")), str(mm.get("type")), str(mm.get("source")),
                        strings(mm.get("options"))));
            }
        }
        return new Spec(str(m.get("ociVersion")),
                root == null ? null : new Spec.Root(str(root.get("path")), (Boolean) root.get("readonly")),
                process(obj(m.get("process"), "process")),
                str(m.get("hostname")), str(m.get("domainname")), mounts,
                linux == null ? null : linux(linux), stringMap(m.get("annotations")));
    }

    public static ProcessSpec process(Map<String, Object> p) {
        if (p == null) {
            return null;
        }
        Map<String, Object> u = obj(p.get("user"), "user");
        ProcessSpec.User user = null;
        if (u != null) {
            List<Long> gids = null;
            if (u.get("additionalGids") != null) {
                gids = new ArrayList<>();
                for (Object g : list(u.get("additionalGids"))) {
                    gids.add((Long) g);
                }
            }
            user = new ProcessSpec.User(lng(u.get("uid"), 0), lng(u.get("gid"), 0),
                    u.get("umask") == null ? null : (int) (long) (Long) u.get("umask"), gids);
        }
        Map<String, Object> c = obj(p.get("capabilities"), "capabilities");
        ProcessSpec.Capabilities caps = c == null ? null : new ProcessSpec.Capabilities(strings(c.get("bounding")),
                strings(c.get("effective")), strings(c.get("inheritable")), strings(c.get("permitted")),
                strings(c.get("ambient")));
        List<ProcessSpec.Rlimit> rl = null;
        if (p.get("rlimits") != null) {
            rl = new ArrayList<>();
            for (Object o : list(p.get("rlimits"))) {
                Map<String, Object> r = obj(o, "rlimit");
                rl.add(new ProcessSpec.Rlimit(str(r.get("type")), lng(r.get("hard"), 0), lng(r.get("soft"), 0)));
            }
        }
        return new ProcessSpec((Boolean) p.get("terminal"), user, strings(p.get("args")), strings(p.get("env")),
                str(p.get("cwd")), caps, rl, (Boolean) p.get("noNewPrivileges"));
    }

    private static Linux linux(Map<String, Object> l) {
        List<Linux.Namespace> ns = null;
        if (l.get("namespaces") != null) {
            ns = new ArrayList<>();
            for (Object o : list(l.get("namespaces"))) {
                Map<String, Object> n = obj(o, "namespace");
                ns.add(new Linux.Namespace(str(n.get("type")), str(n.get("path"))));
            }
        }
        Linux.Resources res = null;
        Map<String, Object> r = obj(l.get("resources"), "resources");
        if (r != null) {
            Map<String, Object> mem = obj(r.get("memory"), "memory");
            Map<String, Object> cpu = obj(r.get("cpu"), "cpu");
            Map<String, Object> pids = obj(r.get("pids"), "pids");
            res = new Linux.Resources(
                    mem == null ? null : new Linux.Memory((Long) mem.get("limit"), (Long) mem.get("swap")),
                    cpu == null ? null : new Linux.Cpu((Long) cpu.get("quota"), (Long) cpu.get("period"),
                            (Long) cpu.get("shares")),
                    pids == null ? null : new Linux.Pids(lng(pids.get("limit"), 0)),
                    devices(r.get("devices")));
        }
        return new Linux(ns, res, str(l.get("cgroupsPath")), strings(l.get("maskedPaths")),
                strings(l.get("readonlyPaths")), str(l.get("rootfsPropagation")),
                seccomp(obj(l.get("seccomp"), "seccomp")));
    }

    private static Linux.Seccomp seccomp(Map<String, Object> s) {
        if (s == null) {
            return null;
        }
        List<Linux.Syscall> calls = null;
        if (s.get("syscalls") != null) {
            calls = new ArrayList<>();
            for (Object o : list(s.get("syscalls"))) {
                Map<String, Object> c = obj(o, "syscall");
                List<Linux.Arg> args = null;
                if (c.get("args") != null) {
                    args = new ArrayList<>();
                    for (Object a : list(c.get("args"))) {
                        Map<String, Object> am = obj(a, "seccomp arg");
                        args.add(new Linux.Arg((int) lng(am.get("index"), 0), unsigned(am.get("value")),
                                unsigned(am.get("valueTwo")), str(am.get("op"))));
                    }
                }
                calls.add(new Linux.Syscall(strings(c.get("names")), str(c.get("action")), integer(c.get("errnoRet")),
                        args));
            }
        }
        return new Linux.Seccomp(str(s.get("defaultAction")), integer(s.get("defaultErrnoRet")),
                strings(s.get("architectures")), strings(s.get("flags")), calls);
    }

    /** A uint64 of the spec; JsonTree keeps integers beyond a long as doubles, which cannot be exact. */
    private static long unsigned(Object o) {
        if (o instanceof Double) {
            throw new ClassCastException("seccomp argument values above 9223372036854775807 are not supported");
        }
        return lng(o, 0);
    }

    private static Integer integer(Object o) {
        return o == null ? null : (int) (long) (Long) o;
    }

    private static List<Linux.DeviceRule> devices(Object o) {
        if (o == null) {
            return null;
        }
        List<Linux.DeviceRule> out = new ArrayList<>();
        for (Object x : list(o)) {
            Map<String, Object> d = obj(x, "device rule");
            out.add(new Linux.DeviceRule(Boolean.TRUE.equals(d.get("allow")), str(d.get("type")),
                    (Long) d.get("major"), (Long) d.get("minor"), str(d.get("access"))));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object o, String what) {
        if (o == null) {
            return null;
        }
        if (!(o instanceof Map)) {
            throw new ClassCastException(what + " must be an object");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    static String str(Object o) {
        return (String) o;
    }

    static long lng(Object o, long dflt) {
        return o == null ? dflt : (Long) o;
    }

    static List<String> strings(Object o) {
        if (o == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object x : list(o)) {
            out.add((String) x);
        }
        return out;
    }

    static Map<String, String> stringMap(Object o) {
        if (o == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : obj(o, "annotations").entrySet()) {
            out.put(e.getKey(), (String) e.getValue());
        }
        return out;
    }

    /** Generic JSON helpers for the runtime's own small files (state.json). */
    public static Map<String, Object> readObject(Path file) throws IOException {
        return obj(JsonTree.parse(Files.readAllBytes(file)), file.toString());
    }

    public static void writeObject(Path file, Map<String, Object> value) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (var out = PrivateFiles.create(tmp)) {
            JsonTree.write(out, value);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
