package dev.dcont.runtime.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one workaround in the runtime's JSON, kept because a container start is the runtime's whole job: on the
 * start path (config.json read, state.json written and read) jackson-jr reads maps and lists, mapped to the
 * records here by hand, instead of binding the records. Binding makes jackson-jr introspect every record class
 * of the spec in each runtime process, which runs in the interpreter, and that was most of a start's Java work
 * (bench/start; the figures are in the commit that added this class). Everything else (writing specs, seccomp
 * profiles, the OCI state) binds records through {@link SpecJson}. {@code SpecJsonTest} checks that the two
 * read the same spec alike.
 */
public final class SpecMaps {
    private SpecMaps() {}

    /** config.json as a {@link Spec}; what is not a runtime spec is an IOException of one line. */
    public static Spec readSpec(Path configJson) throws IOException {
        Map<String, Object> m = readObject(configJson);
        try {
            return spec(m);
        } catch (ClassCastException | NullPointerException | ArithmeticException e) {
            throw new IOException(configJson + ": invalid JSON for a runtime spec: " + e.getMessage(), e);
        }
    }

    /** A JSON object from {@code file}; anything else is an IOException of one line. */
    public static Map<String, Object> readObject(Path file) throws IOException {
        Object o;
        try {
            o = SpecJson.JSON.anyFrom(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": " + SpecJson.problem(e), e);
        }
        if (!(o instanceof Map)) {
            throw new IOException(file + ": not a JSON object");
        }
        return obj(o, file.toString());
    }

    /** Writes maps, lists, strings, numbers and booleans to {@code file}, atomically, readable by its owner only. */
    public static void writeObject(Path file, Map<String, Object> value) throws IOException {
        PrivateFiles.write(file, SpecJson.JSON.asBytes(value));
    }

    static Spec spec(Map<String, Object> m) {
        Map<String, Object> root = obj(m.get("root"), "root");
        Map<String, Object> linux = obj(m.get("linux"), "linux");
        List<Spec.Mount> mounts = null;
        if (m.get("mounts") != null) {
            mounts = new ArrayList<>();
            for (Object o : list(m.get("mounts"), "mounts")) {
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

    private static ProcessSpec process(Map<String, Object> p) {
        if (p == null) {
            return null;
        }
        Map<String, Object> u = obj(p.get("user"), "user");
        ProcessSpec.User user = null;
        if (u != null) {
            List<Long> gids = null;
            if (u.get("additionalGids") != null) {
                gids = new ArrayList<>();
                for (Object g : list(u.get("additionalGids"), "additionalGids")) {
                    gids.add(lng(g, 0));
                }
            }
            user = new ProcessSpec.User(lng(u.get("uid"), 0), lng(u.get("gid"), 0), integer(u.get("umask")), gids);
        }
        Map<String, Object> c = obj(p.get("capabilities"), "capabilities");
        ProcessSpec.Capabilities caps = c == null ? null : new ProcessSpec.Capabilities(strings(c.get("bounding")),
                strings(c.get("effective")), strings(c.get("inheritable")), strings(c.get("permitted")),
                strings(c.get("ambient")));
        List<ProcessSpec.Rlimit> rl = null;
        if (p.get("rlimits") != null) {
            rl = new ArrayList<>();
            for (Object o : list(p.get("rlimits"), "rlimits")) {
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
            for (Object o : list(l.get("namespaces"), "namespaces")) {
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
                    mem == null ? null : new Linux.Memory(longOrNull(mem.get("limit")), longOrNull(mem.get("swap"))),
                    cpu == null ? null : new Linux.Cpu(longOrNull(cpu.get("quota")), longOrNull(cpu.get("period")),
                            longOrNull(cpu.get("shares"))),
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
            for (Object o : list(s.get("syscalls"), "syscalls")) {
                Map<String, Object> c = obj(o, "syscall");
                List<Linux.Arg> args = null;
                if (c.get("args") != null) {
                    args = new ArrayList<>();
                    for (Object a : list(c.get("args"), "args")) {
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

    private static List<Linux.DeviceRule> devices(Object o) {
        if (o == null) {
            return null;
        }
        List<Linux.DeviceRule> out = new ArrayList<>();
        for (Object x : list(o, "devices")) {
            Map<String, Object> d = obj(x, "device rule");
            out.add(new Linux.DeviceRule(Boolean.TRUE.equals(d.get("allow")), str(d.get("type")),
                    longOrNull(d.get("major")), longOrNull(d.get("minor")), str(d.get("access"))));
        }
        return out;
    }

    /** A uint64 of the spec (seccomp argument values) as the 64 bits the kernel compares. */
    private static long unsigned(Object o) {
        if (o instanceof BigInteger b) {
            if (b.signum() < 0 || b.bitLength() > 64) {
                throw new ArithmeticException("seccomp argument value " + b + " is not a uint64");
            }
            return b.longValue();
        }
        return lng(o, 0);
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Object o, String what) {
        if (o == null) {
            return null;
        }
        if (!(o instanceof Map)) {
            throw new ClassCastException(what + " must be an object");
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o, String what) {
        if (o == null) {
            return null;
        }
        if (!(o instanceof List)) {
            throw new ClassCastException(what + " must be an array");
        }
        return (List<Object>) o;
    }

    public static String str(Object o) {
        if (o != null && !(o instanceof String)) {
            throw new ClassCastException("expected a string, not " + o);
        }
        return (String) o;
    }

    /** An integer member; a fraction, a string or one beyond a long is refused. */
    public static long lng(Object o, long dflt) {
        if (o == null) {
            return dflt;
        }
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger b) {
            return b.longValueExact();
        }
        throw new ClassCastException("expected an integer, not " + o);
    }

    private static Long longOrNull(Object o) {
        return o == null ? null : lng(o, 0);
    }

    private static Integer integer(Object o) {
        return o == null ? null : Math.toIntExact(lng(o, 0));
    }

    public static List<String> strings(Object o) {
        if (o == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object x : list(o, "a list of strings")) {
            out.add(str(x));
        }
        return out;
    }

    public static Map<String, String> stringMap(Object o) {
        if (o == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : obj(o, "annotations").entrySet()) {
            out.put(e.getKey(), str(e.getValue()));
        }
        return out;
    }
}
