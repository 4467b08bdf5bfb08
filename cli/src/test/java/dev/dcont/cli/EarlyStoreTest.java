package dev.dcont.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLayout;
import dev.dcont.testkit.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyStoreTest {
  @TempDir
  Path tmp;

  @AfterEach
  void drain() {
    Store left = EarlyStore.take(Path.of("/nonexistent-root-for-draining"));
    if (left != null) {
      left.close();
    }
  }

  @Test
  void theRootIsGuessedAsTheLauncherDoes() {
    assertEquals(Path.of("/a"), EarlyStore.rootIn(new String[] {"--root", "/a", "images"}));
    assertEquals(Path.of("/b"), EarlyStore.rootIn(new String[] {"--debug", "--root=/b", "ps"}));
    assertEquals(Path.of("/c"), EarlyStore.rootIn(new String[] {"run", "--root", "/c", "img"}));
    assertEquals(StoreLayout.defaultRoot(), EarlyStore.rootIn(new String[] {"run", "img", "--", "--root", "/d"}));
    assertEquals(StoreLayout.defaultRoot(), EarlyStore.rootIn(new String[] {"images", "--root"}));
  }

  @Test
  void anExistingStoreIsOpenedAndHandedOverForItsRoot() throws Exception {
    Path root = tmp.resolve("store");
    Store.open(root).close();
    AtomicBoolean warmed = new AtomicBoolean();
    EarlyStore.begin(new String[] {"--root", root.toString(), "images"}, false, () -> warmed.set(true));

    Store s = EarlyStore.take(root);
    assertNotNull(s);
    try (s) {
      assertTrue(s.images().list().isEmpty());
    }
    assertNull(EarlyStore.take(root), "handed out twice");
    Poll.until("the warming step to run", Duration.ofSeconds(2), warmed::get);
  }

  @Test
  void aStoreThatDoesNotExistIsLeftAloneUnlessTheCommandMakesItAnyway() {
    Path root = tmp.resolve("fresh");
    EarlyStore.begin(new String[] {"--root", root.toString(), "images"}, false, null);
    assertNull(EarlyStore.take(root));
    assertFalse(Files.exists(root));

    EarlyStore.begin(new String[] {"--root", root.toString(), "pull", "x"}, true, null);
    try (Store s = EarlyStore.take(root)) {
      assertNotNull(s);
      s.finishOpening();
      assertTrue(Files.isRegularFile(s.layout().database()));
    }
  }

  @Test
  void aStoreOpenedForAnotherRootIsClosedNotHandedOver() {
    Path guessed = tmp.resolve("guessed");
    Store.open(guessed).close();
    EarlyStore.begin(new String[] {"--root", guessed.toString(), "images"}, false, null);
    assertNull(EarlyStore.take(tmp.resolve("other")));
  }

  @Test
  void aFailedEarlyOpeningFailsTheCommandsFirstUseWithTheSameError() throws Exception {
    Path root = tmp.resolve("file");
    Files.writeString(root, "not a directory");
    EarlyStore.begin(new String[] {"--root", root.toString(), "pull", "x"}, true, null);
    try (Store s = EarlyStore.take(root)) {
      assertNotNull(s);
      StoreException e = assertThrows(StoreException.class, s::images);
      assertTrue(e.getMessage().contains(root.toString()), e.getMessage());
    }
  }
}
