package dev.dcont.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store is closed to other users: made so, and an earlier version's open store tightened when opened. */
class StoreModesTest {
  @TempDir
  Path tmp;

  @Test
  void aNewStoreAndItsDatabaseAreTheOwnersOnly() throws Exception {
    Path root = tmp.resolve("a/store");
    try (Store s = Store.open(root)) {
      s.images().list();
    }
    assertEquals(0700, mode(root));
    assertEquals(0700, mode(tmp.resolve("a")), "a missing parent is made 0700 too");
    assertEquals(0600, mode(root.resolve("dcont.db")));
  }

  @Test
  void aStoreMadeByAnEarlierVersionIsTightenedWhenOpened() throws Exception {
    Path root = tmp.resolve("store");
    StoreLayout layout = new StoreLayout(root);
    // what an earlier dcont left: 0755 directories, 0644 files
    Files.createDirectories(root);
    try (Store s = Store.open(root)) {
      s.images().list();
    }
    for (Path d : layout.topLevelDirs()) {
      Files.createDirectories(d);
      setMode(d, 0755);
    }
    Path deep = Files.createDirectories(layout.containersDir().resolve("c".repeat(64)));
    setMode(deep, 0755);
    for (Path f : layout.databaseFiles()) {
      if (!Files.exists(f)) {
        Files.createFile(f);
      }
      setMode(f, 0644);
    }
    setMode(root, 0755);

    try (Store s = Store.open(root)) {
      s.images().list();
    }

    assertEquals(0700, mode(root));
    for (Path d : layout.topLevelDirs()) {
      assertEquals(0700, mode(d), d.toString());
    }
    for (Path f : layout.databaseFiles()) {
      if (Files.exists(f)) { // SQLite may have removed its journal files when it closed
        assertEquals(0600, mode(f), f.toString());
      }
    }
    assertEquals(0600, mode(layout.database()));
    // no walk: what is deeper is out of reach behind the root and keeps its mode
    assertEquals(0755, mode(deep));
  }

  @Test
  void aStickySharedDirectoryNamedAsTheRootIsLeftAsItIs() throws Exception {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    setMode(shared, 01777);
    try (Store s = Store.open(shared)) {
      s.images().list();
    }
    assertEquals(01777, mode(shared));
    assertEquals(0600, mode(shared.resolve("dcont.db")));
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  private static void setMode(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void uniqueFilesAreTheOwnersOnlyAndPassOverAKilledProcesssLeftovers() throws Exception {
    Path a = OwnerOnly.createUnique(tmp, ".lease-", ".tmp");
    Path b = OwnerOnly.createUnique(tmp, ".lease-", ".tmp");
    assertNotEquals(a, b);
    assertEquals(OwnerOnly.FILE, Files.getPosixFilePermissions(a));
    assertTrue(a.getFileName().toString().startsWith(".lease-" + ProcessHandle.current().pid() + "-"), a.toString());
    // the names a process of this pid would take next, left by one that was killed
    String next = b.getFileName().toString().replace(".tmp", "");
    long count = Long.parseLong(next.substring(next.lastIndexOf('-') + 1));
    for (long k = count + 1; k <= count + 3; k++) {
      Files.writeString(tmp.resolve(".lease-" + ProcessHandle.current().pid() + "-" + k + ".tmp"), "stale");
    }
    Path c = OwnerOnly.createUnique(tmp, ".lease-", ".tmp");
    assertEquals(0, Files.size(c), "a new file, not a leftover");
    assertEquals(".lease-" + ProcessHandle.current().pid() + "-" + (count + 4) + ".tmp", c.getFileName().toString());
  }
}
