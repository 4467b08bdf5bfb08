package dev.dcont.runtime.spec;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one workaround in the project's JSON, kept because a container start is the runtime's whole job, and
 * longer than 400 lines because it is all of it: on the start path the runtime reads config.json and
 * state.json with the small strict reader below (RFC 8259: objects as insertion-ordered maps, arrays as lists,
 * integers as Long or BigInteger, other numbers as Double) and maps them to the records by hand. Every jackson
 * parser extends jackson-core's ParserMinimalBase, whose static BigDecimal constants initialise BigDecimal at
 * the first parse of a process: in the interpreter the runtime runs in, that alone is about as long as a whole
 * runc start; jackson-jr's own set-up (its recycler pools, its readers and writers) and its introspection of
 * each record class come on top (bench/start; the figures are in the commit that brought this back). So
 * state.json is written here too, as one line. Writing specs and every other JSON of the project go through
 * jackson-jr ({@link SpecJson}); {@code SpecMapsTest} and {@code SpecJsonTest} check this reader against
 * jackson-jr on the same documents.
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
            o = Reader.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (!(o instanceof Map)) {
            throw new IOException(file + ": not a JSON object");
        }
        return obj(o, file.toString());
    }

    /**
     * Writes maps (null members left out), lists, strings, integers and booleans to {@code file} as one line of
     * JSON, atomically, readable by its owner only.
     */
    public static void writeObject(Path file, Map<String, Object> value) throws IOException {
        StringBuilder b = new StringBuilder(512);
        write(b, value);
        PrivateFiles.write(file, b.append('\n').toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void write(StringBuilder b, Object v) throws IOException {
        if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getValue() != null) {
                    b.append(first ? "" : ", ");
                    first = false;
                    string(b, (String) e.getKey());
                    b.append(": ");
                    write(b, e.getValue());
                }
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int k = 0; k < l.size(); k++) {
                b.append(k == 0 ? "" : ", ");
                write(b, l.get(k));
            }
            b.append(']');
        } else if (v instanceof String str) {
            string(b, str);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else {
            throw new IOException("cannot write " + (v == null ? "null" : v.getClass().getName()) + " as JSON here");
        }
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    /** A JSON object as one line of text (the state that hooks get, written the way state.json is). */
    public static String toJson(Map<String, Object> value) throws IOException {
        StringBuilder b = new StringBuilder(256);
        write(b, value);
        return b.toString();
    }

    /** config.json already read as a map ({@link #readObject}), as a {@link Spec}. */
    public static Spec specOf(Map<String, Object> m, Path configJson) throws IOException {
        try {
            return spec(m);
        } catch (ClassCastException | NullPointerException | ArithmeticException e) {
            throw new IOException(configJson + ": invalid JSON for a runtime spec: " + e.getMessage(), e);
        }
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
                seccomp(obj(l.get("seccomp"), "seccomp")), nodes(l.get("devices")));
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

    private static List<Linux.Device> nodes(Object o) {
        if (o == null) {
            return null;
        }
        List<Linux.Device> out = new ArrayList<>();
        for (Object x : list(o, "devices")) {
            Map<String, Object> d = obj(x, "device");
            out.add(new Linux.Device(str(d.get("path")), str(d.get("type")), lng(d.get("major"), 0),
                    lng(d.get("minor"), 0), integer(d.get("fileMode")), longOrNull(d.get("uid")),
                    longOrNull(d.get("gid"))));
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

    /** The reader: strict, bounded nesting, UTF-8 (a byte order mark is skipped). */
    private static final class Reader {
        /** Nesting deeper than this is refused (a runtime spec nests about 5 deep). */
        static final int MAX_DEPTH = 200;

        private final byte[] in;
        private int pos;

        private Reader(byte[] in) {
            this.in = in;
        }

        static Object parse(byte[] json) throws IOException {
            Reader t = new Reader(json);
            int start = 0;
            if (json.length >= 3 && (json[0] & 0xff) == 0xEF && (json[1] & 0xff) == 0xBB && (json[2] & 0xff) == 0xBF) {
                start = 3; // UTF-8 byte order mark
            }
            t.pos = start;
            t.skipSpace();
            Object v = t.value(0);
            t.skipSpace();
            if (t.pos != json.length) {
                throw t.error("trailing data after JSON value");
            }
            return v;
        }

        private IOException error(String what) {
            return new IOException("invalid JSON at byte " + pos + ": " + what);
        }

        private void skipSpace() {
            while (pos < in.length) {
                byte b = in[pos];
                if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    return;
                }
                pos++;
            }
        }

        private Object value(int depth) throws IOException {
            if (pos >= in.length) {
                throw error("unexpected end of input");
            }
            if (depth > MAX_DEPTH) {
                throw error("nested deeper than " + MAX_DEPTH);
            }
            byte b = in[pos];
            switch (b) {
                case '{': {
                    pos++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    skipSpace();
                    if (pos < in.length && in[pos] == '}') {
                        pos++;
                        return m;
                    }
                    while (true) {
                        skipSpace();
                        if (pos >= in.length || in[pos] != '"') {
                            throw error("expected a field name");
                        }
                        String name = string();
                        skipSpace();
                        expect(':');
                        skipSpace();
                        m.put(name, value(depth + 1));
                        skipSpace();
                        if (pos < in.length && in[pos] == ',') {
                            pos++;
                            continue;
                        }
                        expect('}');
                        return m;
                    }
                }
                case '[': {
                    pos++;
                    List<Object> l = new ArrayList<>();
                    skipSpace();
                    if (pos < in.length && in[pos] == ']') {
                        pos++;
                        return l;
                    }
                    while (true) {
                        skipSpace();
                        l.add(value(depth + 1));
                        skipSpace();
                        if (pos < in.length && in[pos] == ',') {
                            pos++;
                            continue;
                        }
                        expect(']');
                        return l;
                    }
                }
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (b == '-' || (b >= '0' && b <= '9')) {
                        return number();
                    }
                    throw error("unexpected character '" + (char) (b & 0xff) + "'");
            }
        }

        private void expect(char c) throws IOException {
            if (pos >= in.length || in[pos] != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        private void literal(String word) throws IOException {
            for (int k = 0; k < word.length(); k++) {
                if (pos + k >= in.length || in[pos + k] != word.charAt(k)) {
                    throw error("expected " + word);
                }
            }
            pos += word.length();
        }

        private Object number() throws IOException {
            int start = pos;
            boolean integral = true;
            if (in[pos] == '-') {
                pos++;
            }
            if (pos < in.length && in[pos] == '0') {
                pos++;
            } else if (!digits()) {
                throw error("bad number");
            }
            if (pos < in.length && in[pos] == '.') {
                integral = false;
                pos++;
                if (!digits()) {
                    throw error("bad number");
                }
            }
            if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
                integral = false;
                pos++;
                if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                    pos++;
                }
                if (!digits()) {
                    throw error("bad number");
                }
            }
            String text = new String(in, start, pos - start, StandardCharsets.US_ASCII);
            if (integral) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException e) {
                    return new BigInteger(text); // a uint64 of the spec beyond a long
                }
            }
            return Double.parseDouble(text);
        }

        private boolean digits() {
            int start = pos;
            while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
                pos++;
            }
            return pos > start;
        }

        private String string() throws IOException {
            pos++; // opening quote
            int start = pos;
            // fast path: no escapes
            while (pos < in.length) {
                byte b = in[pos];
                if (b == '"') {
                    String s = new String(in, start, pos - start, StandardCharsets.UTF_8);
                    pos++;
                    return s;
                }
                if (b == '\\') {
                    break;
                }
                if ((b & 0xff) < 0x20) {
                    throw error("control character in string");
                }
                pos++;
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(in, start, pos - start);
            while (pos < in.length) {
                byte b = in[pos++];
                if (b == '"') {
                    return out.toString(StandardCharsets.UTF_8);
                }
                if ((b & 0xff) < 0x20) {
                    pos--;
                    throw error("control character in string");
                }
                if (b != '\\') {
                    out.write(b);
                    continue;
                }
                if (pos >= in.length) {
                    break;
                }
                byte e = in[pos++];
                switch (e) {
                    case '"', '\\', '/' -> out.write(e);
                    case 'b' -> out.write('\b');
                    case 'f' -> out.write('\f');
                    case 'n' -> out.write('\n');
                    case 'r' -> out.write('\r');
                    case 't' -> out.write('\t');
                    case 'u' -> {
                        int c = hex4();
                        if (Character.isHighSurrogate((char) c) && pos + 1 < in.length && in[pos] == '\\'
                                && in[pos + 1] == 'u') {
                            int save = pos;
                            pos += 2;
                            int low = hex4();
                            if (Character.isLowSurrogate((char) low)) {
                                byte[] u = new String(new char[] {(char) c, (char) low}).getBytes(StandardCharsets.UTF_8);
                                out.write(u, 0, u.length);
                                continue;
                            }
                            pos = save;
                        }
                        byte[] u = String.valueOf((char) c).getBytes(StandardCharsets.UTF_8);
                        out.write(u, 0, u.length);
                    }
                    default -> {
                        pos--;
                        throw error("bad escape \\" + (char) (e & 0xff));
                    }
                }
            }
            throw error("unterminated string");
        }

        private int hex4() throws IOException {
            if (pos + 4 > in.length) {
                throw error("bad \\u escape");
            }
            int v = 0;
            for (int k = 0; k < 4; k++) {
                int d = Character.digit(in[pos + k], 16);
                if (d < 0) {
                    throw error("bad \\u escape");
                }
                v = (v << 4) | d;
            }
            pos += 4;
            return v;
        }
    }
}
