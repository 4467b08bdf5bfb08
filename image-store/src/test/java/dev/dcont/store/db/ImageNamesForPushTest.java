package dev.dcont.store.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Reference;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The names tag and push give images, and the repositories push mounts blobs from. */
class ImageNamesForPushTest {
  @TempDir
  Path root;

  @Test
  void aTagNamesAStoredImageMovesFromAnotherAndIsListedWithItsRepository() {
    try (Store s = Store.open(root)) {
      ImageRecord a = ImageRepositoryTest.image("a", 1);
      ImageRecord b = ImageRepositoryTest.image("b", 1);
      s.images().save(a, Reference.parse("localhost/src:1"), null, null);
      s.images().save(b, Reference.parse("localhost/src:2"), null, null);
      Reference x = Reference.parse("reg.example/x:1");
      assertTrue(s.images().tag(x, a.manifestDigest()));
      assertEquals(a, s.images().find(x).orElseThrow());
      assertTrue(s.images().tag(x, b.manifestDigest()));
      assertEquals(b, s.images().find(x).orElseThrow());
      assertTrue(s.images().tag(Reference.parse("reg.example/x:0"), a.manifestDigest()));
      assertEquals(List.of(Reference.parse("reg.example/x:0"), x), s.images().tagsOf("reg.example/x"));
      assertFalse(s.images().tag(Reference.parse("reg.example/x:9"), Digest.sha256("no such image")));
      assertTrue(s.images().find(Reference.parse("reg.example/x:9")).isEmpty());
      assertThrows(IllegalArgumentException.class,
          () -> s.images().tag(Reference.parse("reg.example/x@" + a.manifestDigest()), a.manifestDigest()));
    }
  }

  @Test
  void theRepositoriesOfARegistryWithABlobAreThoseItsImagesWerePulledFromOrPushedTo() {
    try (Store s = Store.open(root)) {
      ImageRecord a = ImageRepositoryTest.image("a", 2);
      ImageRecord b = ImageRepositoryTest.image("b", 1);
      s.images().save(a, Reference.parse("reg.example/pulled/a:1"), a.manifestDigest(), null);
      s.images().save(b, Reference.parse("reg.example/pulled/b:1"), b.manifestDigest(), null);
      s.images().addRepoDigest("reg.example/pushed/a", a.manifestDigest(), a.manifestDigest());
      s.images().addRepoDigest("other.example/elsewhere", a.manifestDigest(), a.manifestDigest());
      // a tag alone says nothing about what a registry has
      s.images().tag(Reference.parse("reg.example/tagged/a:1"), a.manifestDigest());
      Digest layer = a.layers().get(1).digest();
      assertEquals(List.of("pulled/a", "pushed/a"), s.images().repositoriesWithBlob(layer, "reg.example"));
      assertEquals(List.of("pulled/a", "pushed/a"), s.images().repositoriesWithBlob(a.configDigest(), "reg.example"));
      assertEquals(List.of("elsewhere"), s.images().repositoriesWithBlob(layer, "other.example"));
      assertEquals(List.of(), s.images().repositoriesWithBlob(layer, "reg.example:5000"));
      assertEquals(List.of("pulled/b"), s.images().repositoriesWithBlob(b.layers().get(0).digest(), "reg.example"));
      assertEquals(a, s.images().find(Reference.parse("reg.example/pushed/a@" + a.manifestDigest())).orElseThrow());
      assertTrue(s.images().indexOf(a.manifestDigest()).isEmpty(), "pulled by its own manifest");
      Digest index = Digest.sha256("index");
      s.images().save(b, Reference.parse("reg.example/multi:1"), index, index);
      assertEquals(index, s.images().indexOf(b.manifestDigest()).orElseThrow());
    }
  }
}
