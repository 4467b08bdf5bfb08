package dev.dcont.layers;

import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Snapshots as containerd's {@code snapshots.Snapshotter} has them: file system states with parent-child relations,
 * owned with their metadata by the snapshotter, which prune, df and check ask through this interface.
 *
 * <p>An <em>active</em> snapshot is made by {@link #prepare} under a key, written to, and either committed under a
 * name ({@link #commit}; the active one is gone then) or removed. A <em>committed</em> snapshot is read-only and
 * can be the parent of others. A <em>view</em> ({@link #view}) is a read-only active snapshot over a committed
 * parent; it cannot be committed. Keys and names share one key space. In dcont:
 * <ul>
 *   <li>a committed snapshot is an unpacked layer, named by its chain ID ({@code sha256:…});
 *   <li>an active snapshot under a key of {@link #extractKey()}'s form is a layer being unpacked: it starts empty
 *       whatever its parent (each layer is unpacked on its own, its whiteouts kept as overlayfs's), so the layers of
 *       an image unpack in parallel, and its parent need not be committed until its own commit; it lives only as
 *       long as the process that unpacks (a crash leaves a directory that prune removes);
 *   <li>any other key is a container's root (its 64-digit ID): overlayfs over the parent's stack with an upper
 *       directory of its own.
 * </ul>
 * What containerd keeps in labels dcont passes as arguments: the layer a snapshot was unpacked from and its
 * usage measured while it was written ({@link Layer}), the image an active snapshot is for.
 */
public interface Snapshotter {
  /** What a snapshot is; containerd's {@code snapshots.Kind}. */
  enum Kind { VIEW, ACTIVE, COMMITTED }

  /**
   * One snapshot: its kind, its key or name, its parent's name (null for none) and when it was made (epoch
   * milliseconds).
   */
  record Info(Kind kind, String name, String parent, long created) { }

  /** Disk use of a snapshot without its parents: apparent bytes (hardlinks once) and entries below its root. */
  record Usage(long size, long inodes) { }

  /** The layer a committed snapshot holds, and its usage as measured while it was written. */
  record Layer(Digest diffId, Digest layerDigest, Usage usage) { }

  /** Prefix of the keys of layers being unpacked, as containerd's {@code snapshots.UnpackKeyPrefix}. */
  String EXTRACT_PREFIX = "extract-";

  /** A fresh key for a layer to unpack. */
  static String extractKey() {
    return EXTRACT_PREFIX + UUID.randomUUID();
  }

  /** The snapshot under {@code key}, if there is one. */
  Optional<Info> stat(String key);

  /**
   * Disk use of the snapshot under {@code key}, its parents not included: recorded at commit for a committed
   * snapshot, walked for an active one (a container's upper directory; nothing yet when it is missing).
   */
  Usage usage(String key);

  /** The mounts of an active snapshot or view, as {@link #prepare} or {@link #view} returned them. */
  MountSpec mounts(String key);

  /**
   * Makes an active snapshot under {@code key} over {@code parent} (a committed snapshot's name; null for none),
   * for the image {@code image} (null when it is for none). Fails if {@code key} is taken, or, for a container's
   * root, if {@code parent} is not a committed snapshot whose parents are all there.
   */
  MountSpec prepare(String key, String parent, Digest image);

  /** A read-only active snapshot of the committed {@code parent}: it cannot be committed, only removed. */
  MountSpec view(String key, String parent);

  /**
   * Records the active snapshot {@code key} as the committed snapshot {@code name}, with its parent, and removes
   * the active one. Fails with {@link ExistsException} when {@code name} is committed already (by another process:
   * the active snapshot is left for the caller to remove), and for a view or a container's root.
   */
  Snapshot commit(String name, String key, Layer layer);

  /**
   * Removes the snapshot under {@code key} with everything it holds. A committed snapshot that is the parent of
   * another, or under a container's root, is not removed ({@link InUseException}): its children go first.
   */
  void remove(String key);

  /**
   * {@link #remove}, unless {@code inUse} answers true when asked in the transaction that removes the snapshot's
   * record: what another module knows of its use (an image's layer) is decided together with the removal, so that
   * no other process starts using the snapshot in between. Returns whether it was removed.
   */
  boolean removeUnless(String key, java.util.function.BooleanSupplier inUse);

  /** Calls {@code fn} with every snapshot: committed ones, then containers' roots and views. */
  void walk(Consumer<Info> fn);

  /** A committed snapshot with what dcont records for it. */
  Optional<Snapshot> get(ChainId name);

  /** Every committed snapshot with what dcont records for it, by name, in one read (df, check, inspection). */
  Map<ChainId, Snapshot> committed();

  /** {@link #commit} found the name committed already. */
  final class ExistsException extends LayerException {
    public ExistsException(String message) {
      super(message);
    }
  }

  /** {@link #remove} of a snapshot that another one stacks on. */
  final class InUseException extends LayerException {
    public InUseException(String message) {
      super(message);
    }
  }
}
