package dev.dcont.runtime.spec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to and from plain maps and lists, by a small strict reader and writer of its own (RFC 8259: objects as
 * insertion-ordered maps, arrays as lists, integers as Long, other numbers as Double). The start path of a
 * container reads config.json and writes state.json here: jackson-databind's initialisation alone costs more
 * than a whole runc start, and even jackson-core's first parser costs about 5 ms on JDK 25 (its static
 * BigDecimal constants), a quarter of a runc start. {@code JsonTreeTest} checks both directions against jackson.
 */
final class JsonTree {
    /** Nesting deeper than this is refused (a runtime spec nests about 5 deep). */
    static final int MAX_DEPTH = 200;

    private final byte[] in;
    private int pos;

    private JsonTree(byte[] in) {
        this.in = in;
    }

    static Object parse(byte[] json) throws IOException {
        JsonTree t = new JsonTree(json);
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
                // beyond a long: as jackson, a floating-point value is the nearest we keep
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

    /** Writes {@code value} (maps, lists, strings, booleans, integers, doubles, null) as indented UTF-8 JSON. */
    static void write(OutputStream out, Object value) throws IOException {
        StringBuilder b = new StringBuilder(512);
        write(b, value, 0);
        b.append('\n');
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void indent(StringBuilder b, int depth) {
        b.append('\n');
        for (int k = 0; k < depth; k++) {
            b.append("  ");
        }
    }

    private static void write(StringBuilder b, Object v, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IOException("cannot write JSON nested deeper than " + MAX_DEPTH);
        }
        if (v == null) {
            b.append("null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (e.getValue() == null) {
                    continue; // as the records are written: absent rather than null
                }
                b.append(first ? "" : ",");
                first = false;
                indent(b, depth + 1);
                string(b, (String) e.getKey());
                b.append(": ");
                write(b, e.getValue(), depth + 1);
            }
            if (!first) {
                indent(b, depth);
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            if (scalars(l)) {
                // one line: a seccomp rule lists hundreds of names, one line each would be most of config.json
                for (int k = 0; k < l.size(); k++) {
                    b.append(k == 0 ? "" : ", ");
                    write(b, l.get(k), depth + 1);
                }
                b.append(']');
                return;
            }
            for (int k = 0; k < l.size(); k++) {
                b.append(k == 0 ? "" : ",");
                indent(b, depth + 1);
                write(b, l.get(k), depth + 1);
            }
            if (!l.isEmpty()) {
                indent(b, depth);
            }
            b.append(']');
        } else if (v instanceof String str) {
            string(b, str);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new IOException("cannot write " + d + " as JSON");
            }
            b.append(d.doubleValue());
        } else {
            throw new IOException("cannot write " + v.getClass() + " as JSON");
        }
    }

    private static boolean scalars(List<?> l) {
        for (Object o : l) {
            if (o == null || o instanceof Map || o instanceof List) {
                return false;
            }
        }
        return true;
    }

    private static void string(StringBuilder b, String s) {
        int plain = 0;
        for (char c; plain < s.length() && (c = s.charAt(plain)) >= 0x20 && c != '"' && c != '\\'; ) {
            plain++;
        }
        if (plain == s.length()) {
            b.append('"').append(s).append('"'); // nothing to escape: most strings
            return;
        }
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
