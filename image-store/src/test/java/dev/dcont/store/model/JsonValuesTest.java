package dev.dcont.store.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonValuesTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void valuesOfEveryKindAsBindingToObjectGivesThem() throws Exception {
    String json = "{\"s\":\"t\\u00e9\\n\",\"i\":7,\"l\":12345678901,\"b\":123456789012345678901234567890,"
        + "\"d\":1.5,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,[2],{}],\"o\":{\"k\":\"v\",\"k\":\"last\"}}";
    Object parsed = JsonValues.parse(utf8(json), "doc");
    assertEquals(Json.MAPPER.readValue(json, Object.class), parsed);
    Map<?, ?> m = (Map<?, ?>) parsed;
    assertEquals(List.of("s", "i", "l", "b", "d", "t", "f", "n", "a", "o"), List.copyOf(m.keySet()), "in order");
    assertEquals("té\n", m.get("s"));
    assertEquals(7, m.get("i"));
    assertEquals(12345678901L, m.get("l"));
    assertEquals(new BigInteger("123456789012345678901234567890"), m.get("b"));
    assertEquals(1.5, m.get("d"));
    assertEquals(Map.of("k", "last"), m.get("o"), "a repeated key keeps its last value");
  }

  @Test
  void stringListsRoundTripAndWrongShapesAreRefused() {
    List<String> cmd = List.of("sh", "-c", "echo \"hi\" \\ ünï €\t\u0001", "");
    String json = JsonValues.writeStrings(cmd);
    assertEquals(cmd, JsonValues.readStrings(utf8(json), "command"));
    assertEquals(Arrays.asList("1", "true", null), JsonValues.readStrings(utf8("[1,true,null]"), "command"));
    for (String bad : new String[] {"{}", "\"sh\"", "[[\"sh\"]]", "[{}]"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> JsonValues.readStrings(utf8(bad), "container command"), bad);
      assertEquals("container command: invalid JSON (not a list of strings)", e.getMessage());
    }
  }

  @Test
  void brokenOrEmptyJsonIsAnErrorNamingTheDocument() {
    for (String bad : new String[] {"", "  ", "{\"a\":", "[1,,2]", "{a:1}", "}"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> JsonValues.parse(utf8(bad), "image config x"), bad);
      assertTrue(e.getMessage().startsWith("image config x: invalid JSON ("), bad + " -> " + e.getMessage());
    }
  }
}
