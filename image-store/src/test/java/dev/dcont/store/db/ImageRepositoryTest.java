package dev.dcont.store.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRepositoryTest {
  @TempDir
  Path root;

  static ImageRecord image(String seed, int layers) {
    List<Digest> diffIds = new java.util.ArrayList<>();
    for (int i = 0; i < layers; i++) {
      diffIds.add(Digest.sha256(seed + "-diff-" + i));
    }
    List<ChainId> chain = ChainId.of(diffIds);
    List<ImageRecord.Layer> ls = new java.util.ArrayList<>();
    for (int i = 0; i < layers; i++) {
      ls.add(new ImageRecord.Layer(i, Digest.sha256(seed + "-blob-" + i), diffIds.get(i), chain.get(i),
          MediaType.OCI_LAYER_GZIP, 100 + i));
    }
    return new ImageRecord(Digest.sha256(seed + "-manifest"), MediaType.OCI_MANIFEST, 10,
        Digest.sha256(seed + "-config"), 20, Platform.parse("linux/amd64"), "2026-01-01T00:00:00Z", 1, ls);
  }

  @Test
  void savedImageIsFoundByTagDigestAndIdPrefix() {
    try (Store s = Store.open(root)) {
      ImageRecord img = image("a", 2);
      Reference ref = Reference.parse("127.0.0.1:5000/x:1");
      Digest served = Digest.sha256("index");
      s.images().save(img, ref, served, served);
      assertEquals(img, s.images().find(ref).orElseThrow());
      assertEquals(img, s.images().find(ref.withDigest(served)).orElseThrow());
      assertEquals(img, s.images().resolve("127.0.0.1:5000/x:1").orElseThrow());
      assertEquals(img, s.images().resolve(img.id().shortHex()).orElseThrow());
      assertEquals(img, s.images().resolve(img.id().toString()).orElseThrow());
      assertEquals(served, s.images().servedDigest(ref, img.manifestDigest()).orElseThrow());
      assertEquals(10 + 20 + 100 + 101, img.size());
      assertTrue(s.images().referencedBlobs().containsAll(Set.of(img.manifestDigest(), img.configDigest(),
          img.layers().get(0).digest(), img.layers().get(1).digest(), served)));
    }
  }

  @Test
  void stateSurvivesReopening() {
    ImageRecord img = image("b", 1);
    try (Store s = Store.open(root)) {
      s.images().save(img, Reference.parse("localhost/y"), null, null);
    }
    try (Store s = Store.open(root)) {
      assertEquals(img, s.images().resolve("localhost/y:latest").orElseThrow());
      assertEquals(1, s.images().list().size());
    }
  }

  @Test
  void retaggingMovesTheTagAndUnnamedImagesCanBeDeleted() {
    try (Store s = Store.open(root)) {
      ImageRecord a = image("a", 1);
      ImageRecord b = image("b", 1);
      Reference ref = Reference.parse("localhost/z:1");
      s.images().save(a, ref, null, null);
      s.images().save(b, ref, null, null);
      assertEquals(b, s.images().find(ref).orElseThrow());
      assertEquals(List.of(a.manifestDigest()), s.images().deleteUnnamed());
      assertTrue(s.images().find(a.manifestDigest()).isEmpty());
      assertTrue(s.images().untag(ref));
      assertFalse(s.images().untag(ref));
      assertEquals(0, s.images().tagCount(b.manifestDigest()));
    }
  }

  @Test
  void deletingARefusedImageGivesBackTheNamesItsSaveTook() {
    try (Store s = Store.open(root)) {
      ImageRecord good = image("good", 1);
      ImageRecord bad = image("bad", 1);
      Reference ref = Reference.parse("localhost/z:1");
      Digest index = Digest.sha256("index");
      assertEquals(java.util.Map.of(), s.images().save(good, ref, index, index));
      assertEquals(java.util.Map.of(), s.images().save(good, ref, index, index), "its own names are not taken");
      java.util.Map<Reference, Digest> taken = s.images().save(bad, ref, index, index);
      assertEquals(java.util.Map.of(ref, good.manifestDigest(), ref.withDigest(index), good.manifestDigest()), taken);
      assertEquals(bad, s.images().find(ref).orElseThrow());

      s.images().delete(bad.manifestDigest(), taken);
      assertTrue(s.images().find(bad.manifestDigest()).isEmpty());
      assertEquals(good, s.images().find(ref).orElseThrow());
      assertEquals(good, s.images().find(ref.withDigest(index)).orElseThrow());
      assertEquals(index, s.images().servedDigest(ref, good.manifestDigest()).orElseThrow());

      // a name is not given back to an image deleted in the meantime
      ImageRecord other = image("other", 1);
      Reference y = Reference.parse("localhost/y:1");
      s.images().save(other, y, null, null);
      taken = s.images().save(bad, y, null, null);
      s.images().delete(other.manifestDigest());
      s.images().delete(bad.manifestDigest(), taken);
      assertTrue(s.images().find(y).isEmpty());
      assertEquals(0, s.images().tagCount(other.manifestDigest()), "no tag names a deleted image");
      assertEquals(List.of(good.manifestDigest()), s.images().list().stream().map(n -> n.image().manifestDigest())
          .toList());
    }
  }

  @Test
  void ambiguousIdPrefixIsAnError() {
    try (Store s = Store.open(root)) {
      java.util.Map<String, String> byPrefix = new java.util.HashMap<>();
      String prefix = null;
      for (int i = 0; prefix == null; i++) {
        String p = image("img" + i, 1).id().hex().substring(0, 4);
        String earlier = byPrefix.putIfAbsent(p, "img" + i);
        if (earlier != null) {
          s.images().save(image(earlier, 1), Reference.parse("localhost/a"), null, null);
          s.images().save(image("img" + i, 1), Reference.parse("localhost/b"), null, null);
          prefix = p;
        }
      }
      String ambiguous = prefix;
      StoreException e = assertThrows(StoreException.class, () -> s.images().resolve(ambiguous));
      assertTrue(e.getMessage().contains("ambiguous"), e.getMessage());
    }
  }

  @Test
  void aStoreWrittenByANewerDcontIsRefusedNotMisread() throws Exception {
    try (Store s = Store.open(root)) {
      s.db().read(c -> {
        try (java.sql.Statement st = c.createStatement()) {
          st.execute("PRAGMA user_version = " + (MetadataDb.SCHEMA_VERSION + 1));
        }
        return null;
      });
    }
    StoreException e = assertThrows(StoreException.class, () -> Store.open(root));
    assertTrue(e.getMessage().contains("newer dcont"), e.getMessage());
  }

  /** What prune, check and the removal of a refused image ask about layers. */
  @Test
  void layerChainIdsAndLayersSharedWithAnotherImage() {
    try (Store s = Store.open(root)) {
      ImageRecord a = image("a", 2);
      ImageRecord b = image("b", 1);
      s.images().save(a, Reference.parse("test/a:1"), null, null);
      assertEquals(Set.of(a.layers().get(0).chainId(), a.layers().get(1).chainId()), s.images().layerChainIds());
      assertFalse(s.images().layerUsedByAnotherImage(a.layers().get(0).chainId(), a.manifestDigest()));
      // b's one layer is a's base layer: same diff ID, same chain ID
      ImageRecord.Layer shared = a.layers().get(0);
      ImageRecord b2 = new ImageRecord(b.manifestDigest(), b.manifestMediaType(), b.manifestSize(), b.configDigest(),
          b.configSize(), b.platform(), b.created(), b.pulledAt(), List.of(shared));
      s.images().save(b2, Reference.parse("test/b:1"), null, null);
      assertTrue(s.images().layerUsedByAnotherImage(shared.chainId(), a.manifestDigest()));
      assertTrue(s.images().layerUsedByAnotherImage(shared.chainId(), b2.manifestDigest()));
      assertTrue(s.images().layerUsedByAnotherImage(a.layers().get(1).chainId(), b2.manifestDigest()));
      assertFalse(s.images().layerUsedByAnotherImage(a.layers().get(1).chainId(), a.manifestDigest()));
      assertEquals(2, s.images().layerChainIds().size(), "each chain ID once");
    }
  }
}
