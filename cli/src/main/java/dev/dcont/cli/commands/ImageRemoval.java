package dev.dcont.cli.commands;

import dev.dcont.layers.LayerRefusedException;
import dev.dcont.layers.SnapshotStore;
import dev.dcont.layers.Snapshotter;
import dev.dcont.store.GarbageCollector;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Taking an image out of the store: {@code rmi}, and an image whose layers were refused. */
final class ImageRemoval {
  private ImageRemoval() { }

  /**
   * Deletes {@code named}'s image: its rows (the names in {@code giveBack}, which a pull took from other images,
   * name those again), then the snapshots of its layers that no other image uses and nothing stacks on, then its blobs
   * that no other image references. Returns the chain IDs of the snapshots deleted. The caller holds the store's
   * exclusive lock, so no pull is recording a blob or snapshot meanwhile. Rows first: a crash after them leaves
   * only snapshots and blobs that nothing references, which {@code dcont system prune} removes.
   */
  static List<ChainId> delete(Store store, ImageRepository.Named named, Map<Reference, Digest> giveBack)
      throws IOException {
    ImageRecord img = named.image();
    ImageRepository repo = store.images();
    repo.delete(img.manifestDigest(), giveBack);
    Snapshotter snapshots = SnapshotStore.of(store);
    Set<ChainId> inUse = repo.layerChainIds();
    List<ChainId> deleted = new ArrayList<>();
    // top layer first: a snapshot goes after those that stack on it
    List<ImageRecord.Layer> layers = img.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      ChainId chainId = layers.get(i).chainId();
      if (!inUse.contains(chainId) && snapshots.get(chainId).isPresent()) {
        try {
          snapshots.remove(chainId.toString());
          deleted.add(0, chainId);
        } catch (Snapshotter.InUseException e) {
          // a container's root or another snapshot stacks on it: it stays, and prune removes it when unused
        }
      }
    }
    Set<Digest> keep = repo.referencedBlobs();
    for (Digest d : blobsOf(named)) {
      if (!keep.contains(d)) {
        store.content().delete(d);
      }
    }
    return deleted;
  }

  /**
   * Removes {@code img} after {@code refusal} of one of its layers: the image cannot be unpacked as it is (with
   * these limits), so it goes with its names, snapshots and blobs ({@link #delete}) and the partial downloads of
   * its blobs, and the names the pull took from other images ({@code giveBack}) name those again, as Docker keeps
   * a tag on its image when a pull fails. An image a container uses stays. A failure here is added to
   * {@code refusal} (shown with {@code --debug}), which stays the one line the command prints.
   */
  static void removeRefused(Store store, ImageRecord img, Map<Reference, Digest> giveBack,
      LayerRefusedException refusal) {
    try (StoreLocks.Held lock = StoreLocks.exclusive(store.layout())) {
      if (!store.containers().usingImage(img.manifestDigest()).isEmpty()) {
        return;
      }
      ImageRepository.Named named = store.images().named(img);
      delete(store, named, giveBack);
      new GarbageCollector(store.content()).collectIngest(blobsOf(named));
    } catch (RuntimeException | IOException e) {
      refusal.addSuppressed(e);
    }
  }

  /** The blobs of an image: its repository digests (an index's among them), manifest, config and layers. */
  private static Set<Digest> blobsOf(ImageRepository.Named named) {
    ImageRecord img = named.image();
    Set<Digest> s = new LinkedHashSet<>();
    named.digests().forEach(d -> s.add(d.digest()));
    s.add(img.manifestDigest());
    s.add(img.configDigest());
    img.layers().forEach(l -> s.add(l.digest()));
    return s;
  }
}
