package dev.dcont.cli.run;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/** Container IDs and names as Docker makes them: 64 random hex digits, {@code adjective_surname}. */
public final class Names {
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

  /**
   * 64 hex digits from the kernel's random source, as Docker's IDs. Read from {@code /dev/urandom} directly:
   * a SecureRandom's first use sets up the JDK's security providers, on every {@code run}.
   */
  public static String newId() {
    byte[] b = new byte[32];
    try (InputStream in = new FileInputStream("/dev/urandom")) {
      if (in.readNBytes(b, 0, b.length) != b.length) {
        throw new IOException("short read");
      }
    } catch (IOException e) {
      new SecureRandom().nextBytes(b);
    }
    return HexFormat.of().formatHex(b);
  }

  /** A fresh name that {@code taken} does not know (names need no secret randomness, as in Docker). */
  public static String newName(Predicate<String> taken) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; ; i++) {
      String n = LEFT.get(random.nextInt(LEFT.size())) + "_" + RIGHT.get(random.nextInt(RIGHT.size()));
      if (i > 10) {
        n += random.nextInt(10);
      }
      if (!taken.test(n)) {
        return n;
      }
    }
  }

  /** {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*}, at most 128 characters, as Docker's names (the runtime's ID rule). */
  public static boolean isValidName(String name) {
    return dev.dcont.runtime.ContainerRuntime.isValidId(name);
  }
}
