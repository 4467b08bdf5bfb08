package dev.dcont.runtime.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start path's reader, against jackson-jr reading the same documents. */
class SpecMapsTest {
    @TempDir Path tmp;

    private Map<String, Object> read(String json) throws IOException {
        Path f = tmp.resolve("doc.json");
        Files.write(f, json.getBytes(StandardCharsets.UTF_8));
        return SpecMaps.readObject(f);
    }

    /** jackson-jr's reading, with its numbers widened as the reader keeps them (Long, BigInteger, Double). */
    private static Object widened(Object o) {
        if (o instanceof Integer i) {
            return (long) i;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, widened(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            return l.stream().map(SpecMapsTest::widened).toList();
        }
        return o;
    }

    @Test
    void readsWhatJacksonJrReads() throws IOException {
        for (String json : List.of(
                "{}",
                "{\"a\": [1, -2, 3.5, -0.25e3, 1E2, 9223372036854775807, 18446744073709551615], \"b\": {\"c\": null}}",
                "{\"s\": \"tab\\tnl\\nq\\\"bs\\\\sl\\/u\\u00e9 \\ud83d\\ude00 é\", \"t\": true, \"f\": false}",
                " \n\t{ \"nested\" : [ [ ], { } , [ { \"x\" : [ \"y\" ] } ] ] } \n")) {
            assertEquals(widened(SpecJson.JSON.anyFrom(json)), read(json), json);
        }
        assertEquals(new BigInteger("18446744073709551615"),
                ((List<?>) read("{\"v\": [18446744073709551615]}").get("v")).get(0));
        assertEquals(Map.of("a", 1L), read("\uFEFF{\"a\": 1}"), "a UTF-8 byte order mark is skipped");
    }

    @Test
    void writesWhatJacksonJrReadsBackAsWritten() throws IOException {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", "a\"b\\c\n\u0001é");
        m.put("absent", null);
        m.put("list", List.of("x", "y"));
        m.put("map", Map.of("k", "v"));
        m.put("flag", true);
        m.put("n", 42L);
        Path f = tmp.resolve("state.json");
        SpecMaps.writeObject(f, m);
        Map<String, Object> expected = new java.util.LinkedHashMap<>(m);
        expected.remove("absent");
        assertEquals(expected, widened(SpecJson.JSON.anyFrom(Files.readAllBytes(f))));
        assertEquals(expected, SpecMaps.readObject(f));
    }

    @Test
    void refusesWhatIsNotOneJsonObjectWithOneLineNamingTheFile() throws IOException {
        for (String bad : List.of("", "[1]", "{\"a\": 1} x", "{\"a\" 1}", "{\"a\": 01}", "{\"a\": 1,}", "{'a': 1}",
                "{\"a\": \"\\x\"}", "{\"a\": \"\u0001\"}", "{\"a\": tru}", "{\"a\": -}", "{\"a\": [1, 2",
                "[".repeat(300) + "]".repeat(300))) {
            IOException e = assertThrows(IOException.class, () -> read(bad), bad);
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith(tmp.resolve("doc.json") + ": "), e.getMessage());
        }
    }
}
