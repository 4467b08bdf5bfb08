package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store that a command names is opened while its command line is built, and only that store. */
class EarlyStoreTest {
  @TempDir
  Path dir;

  @Test
  void theRootBeforeTheCommandIsTheOneOpenedEarly() {
    assertEquals(Path.of("/a"), Main.rootNamedIn(new String[] {"--root", "/a", "images"}));
    assertEquals(Path.of("/a"), Main.rootNamedIn(new String[] {"--debug", "--root=/a", "ps", "-a"}));
    assertEquals(StoreLayout.defaultRoot(), Main.rootNamedIn(new String[] {"images"}));
    // picocli takes --root after the command too, and after run's image it is the container's: nothing early
    assertNull(Main.rootNamedIn(new String[] {"images", "--root", "/b"}));
    assertNull(Main.rootNamedIn(new String[] {"--root", "/a", "run", "img", "prog", "--root=/c"}));
  }

  @Test
  void aStoreThatDoesNotExistIsNotMadeByACommandThatFailsToParse() {
    Path missing = dir.resolve("missing");
    Cli.Result r = Cli.run(missing, "images", "--bogus");
    assertEquals(2, r.code(), r.toString());
    assertFalse(Files.exists(missing), "a mistyped command made a store");
  }

  @Test
  void theEarlyStoreIsClosedWhetherTheCommandTakesItOrFails() throws IOException {
    Path root = dir.resolve("store");
    Store.open(root).close();
    Cli.Result ok = Cli.run(root, "images");
    assertEquals(0, ok.code(), ok.toString());
    assertTrue(ok.out().startsWith("REPOSITORY"), ok.out());
    assertEquals(List.of(), descriptorsUnder(root), "the store is still open after the command");

    Cli.Result bad = Cli.run(root, "images", "--bogus");
    assertEquals(2, bad.code(), bad.toString());
    assertEquals(List.of(), descriptorsUnder(root), "the early store is still open after a usage error");
  }

  /** This process's descriptors of files under {@code root}, once no store is still being opened early. */
  private static List<Path> descriptorsUnder(Path root) throws IOException {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("dcont-store-open")) {
        try {
          t.join(60_000);
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
    }
    Path real = root.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.flatMap(fd -> {
        try {
          return Stream.of(Files.readSymbolicLink(fd));
        } catch (IOException gone) {
          return Stream.empty();
        }
      }).filter(p -> p.startsWith(real)).toList();
    }
  }
}
