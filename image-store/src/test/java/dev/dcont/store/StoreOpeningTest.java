package dev.dcont.store;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreOpeningTest {
  @TempDir
  Path tmp;

  @Test
  void openingMakesTheStoreAndItsDatabase() {
    Path root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      assertTrue(s.images().list().isEmpty());
      assertTrue(s.containers().list().isEmpty());
      assertTrue(Files.isRegularFile(s.layout().database()));
    }
  }

  @Test
  void aFailureToOpenNamesTheRoot() throws Exception {
    Path root = tmp.resolve("not-a-dir");
    Files.writeString(root, "a file where the store should be");
    StoreException e = assertThrows(StoreException.class, () -> Store.open(root));
    assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
  }
}
