package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamesTest {
  @Test
  void idsAre64HexDigitsAndDiffer() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String id = Names.newId();
      assertTrue(id.matches("[0-9a-f]{64}"), id);
      assertTrue(seen.add(id), "repeated id " + id);
    }
    // not a constant pattern: every hex digit shows up somewhere in 200 ids
    assertEquals(16, String.join("", seen).chars().distinct().count());
  }

  @Test
  void validNamesAreDockersPattern() {
    Pattern docker = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    String[] names = {"a", "web", "web-1", "my_app.v2", "A9", "0", "-a", "_a", ".a", "a b", "a/b", "a:b", "", "é",
        "a\u00e9", "web--x", "x".repeat(128), "x".repeat(129), "a\n", "Z_", "z."};
    for (String n : names) {
      boolean expected = docker.matcher(n).matches() && n.length() <= 128;
      assertEquals(expected, Names.isValidName(n), "'" + n + "'");
    }
  }

  @Test
  void newNamesAvoidTakenOnes() {
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      String n = Names.newName(taken::contains);
      assertTrue(Names.isValidName(n), n);
      assertTrue(taken.add(n), "taken name handed out again: " + n);
    }
    assertNotEquals(Names.newName(x -> false), null);
  }
}
