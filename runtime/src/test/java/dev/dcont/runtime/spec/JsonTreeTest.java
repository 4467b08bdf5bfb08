package dev.dcont.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTreeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Object parse(String json) throws IOException {
        return JsonTree.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** jackson's tree with every integer as Long, the form JsonTree returns. */
    private static Object jackson(String json) throws IOException {
        return normalise(MAPPER.readValue(json, Object.class));
    }

    private static Object normalise(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, normalise(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(normalise(x)));
            return out;
        }
        if (v instanceof Integer i) {
            return i.longValue();
        }
        return v;
    }

    @Test
    void agreesWithJacksonOnARuntimeSpecAndOnOddDocuments() throws IOException {
        List<String> docs = List.of(
                SpecJson.toJson(DefaultSpec.docker(List.of("sh", "-c", "echo \"hi\" \\ there\t"), false)),
                "{}", "[]", " [ 1 , -2 , 0 , 3.5 , -0.25e3 , 1E2 , 9223372036854775807 , -9223372036854775808 ] ",
                "{\"a\":{\"b\":[true,false,null,{\"c\":[]}]},\"d\":\"\"}",
                "\"\\u00e9\\u4e2d\\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"",
                "{\"k\u00e9y\":\"v\u00e4lue \u4e2d\u6587 \ud83d\ude00\"}",
                "{\"dup\":1,\"dup\":2}",
                "123", "null");
        for (String d : docs) {
            assertEquals(jackson(d), parse(d), d);
        }
    }

    @Test
    void keepsFieldOrderAndTypes() throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) parse("{\"z\":1,\"a\":2.5,\"m\":\"x\",\"n\":null}");
        assertEquals(List.of("z", "a", "m", "n"), new ArrayList<>(m.keySet()));
        assertEquals(1L, m.get("z"));
        assertEquals(2.5, m.get("a"));
        assertEquals("x", m.get("m"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
    }

    @Test
    void integersBeyondALongBecomeDoublesAsInJackson() throws IOException {
        assertEquals(1.8446744073709552E19, parse("18446744073709551616"));
    }

    @Test
    void acceptsAByteOrderMark() throws IOException {
        byte[] doc = "\uFEFF{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertEquals(Map.of("a", 1L), JsonTree.parse(doc));
    }

    @Test
    void refusesMalformedDocumentsWithThePlace() {
        List<String> bad = List.of("", "   ", "{", "}", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{a:1}",
                "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "01", "-", "1.", "1e", ".5", "+1",
                "tru", "nul", "falsey", "[1] [2]", "{\"a\":1} x", "'a'", "NaN", "[\"a\"\u0000]");
        for (String b : bad) {
            IOException e = assertThrows(IOException.class, () -> parse(b), b);
            assertTrue(e.getMessage().startsWith("invalid JSON at byte "), e.getMessage());
        }
    }

    @Test
    void refusesExcessiveNesting() throws IOException {
        String deep = "[".repeat(JsonTree.MAX_DEPTH + 2) + "]".repeat(JsonTree.MAX_DEPTH + 2);
        IOException e = assertThrows(IOException.class, () -> parse(deep));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
        String ok = "[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH);
        assertTrue(parse(ok) instanceof List<?>);
    }

    @Test
    void whatItWritesItReadsBack() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "line\nquote\" back\\ \u00e9 \ud83d\ude00 \u0001");
        m.put("l", List.of(1L, -5L, Long.MAX_VALUE));
        m.put("b", true);
        m.put("d", 0.5);
        m.put("o", Map.of("k", List.of()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonTree.write(out, m);
        assertEquals(m, JsonTree.parse(out.toByteArray()));
    }

    @Test
    void whatItWritesJacksonReadsAsTheSameTree() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "tab\t cr\r ff\f bs\b nul\u0000 us\u001f quote\" back\\ slash/ \u00e9 \ud83d\ude00");
        m.put("empty", Map.of());
        m.put("list", List.of());
        m.put("nested", List.of(Map.of("a", List.of(1L, 2.25, false)), "x"));
        m.put("skipped", null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonTree.write(out, m);
        String json = out.toString(StandardCharsets.UTF_8);
        m.remove("skipped"); // null members are left out
        assertEquals(m, jackson(json), json);
        assertThrows(IOException.class, () -> JsonTree.write(new ByteArrayOutputStream(), Map.of("d", Double.NaN)));
    }
}
