package dev.dcont.cli.run;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Container IDs and names as Docker makes them: 64 random hex digits, {@code adjective_surname}. */
public final class Names {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  private static final List<String> LEFT = List.of("admiring", "agitated", "amazing", "awesome", "bold", "brave",
      "busy", "clever", "cool", "dazzling", "eager", "ecstatic", "elegant", "epic", "festive", "focused", "gallant",
      "gifted", "happy", "hungry", "jolly", "keen", "kind", "laughing", "lucid", "modest", "nifty", "nostalgic",
      "objective", "peaceful", "pensive", "quirky", "relaxed", "serene", "sharp", "stoic", "sweet", "tender",
      "trusting", "upbeat", "vibrant", "wizardly", "youthful", "zealous");
  private static final List<String> RIGHT = List.of("albattani", "babbage", "bardeen", "bell", "blackwell", "bohr",
      "curie", "darwin", "dijkstra", "einstein", "euler", "fermi", "feynman", "franklin", "galileo", "goldberg",
      "hamilton", "hawking", "heisenberg", "hodgkin", "hopper", "kepler", "knuth", "lamport", "liskov", "lovelace",
      "mccarthy", "meitner", "newton", "noether", "pascal", "pike", "ritchie", "shannon", "thompson", "torvalds",
      "turing", "wilson", "wozniak", "yalow");

  private Names() { }

  public static String newId() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** A fresh name that {@code taken} does not know. */
  public static String newName(Predicate<String> taken) {
    for (int i = 0; ; i++) {
      String n = LEFT.get(RANDOM.nextInt(LEFT.size())) + "_" + RIGHT.get(RANDOM.nextInt(RIGHT.size()));
      if (i > 10) {
        n += RANDOM.nextInt(10);
      }
      if (!taken.test(n)) {
        return n;
      }
    }
  }

  public static boolean isValidName(String name) {
    return VALID.matcher(name).matches() && name.length() <= 128;
  }
}
