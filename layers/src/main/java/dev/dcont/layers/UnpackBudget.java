package dev.dcont.layers;

import dev.dcont.store.db.ImageRepository;
import dev.dcont.store.model.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one unpack of an image may still write: the image-wide limits of {@link UnpackLimits}, counted over the
 * layers this unpack writes (a layer already unpacked, shared with another image, writes nothing and counts
 * nothing), and the snapshots it recorded, which {@link #discard} removes when the image is refused. One
 * {@link ImageUnpacker} has one, for the layers it unpacks from their downloads and from their blobs alike.
 */
public final class UnpackBudget {
  private final UnpackLimits limits;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong entries = new AtomicLong();
  private final List<Snapshot> recorded = new ArrayList<>();

  public UnpackBudget(UnpackLimits limits) {
    this.limits = limits;
  }

  public UnpackLimits limits() {
    return limits;
  }

  /** The share of one layer being unpacked. */
  Layer layer() {
    return new Layer();
  }

  /**
   * Removes the snapshots this unpack recorded, except those a container or another image uses by now: children
   * before their parents, and each one unless another image has its chain ID, decided in the transaction that
   * removes it (a concurrent pull or run may have found it).
   */
  void discard(Snapshotter snapshots, ImageRepository images, Digest image) {
    List<Snapshot> left;
    synchronized (recorded) {
      left = new ArrayList<>(recorded);
      recorded.clear();
    }
    boolean progress = true;
    while (!left.isEmpty() && progress) {
      progress = false;
      for (java.util.Iterator<Snapshot> it = left.iterator(); it.hasNext(); ) {
        Snapshot s = it.next();
        try {
          snapshots.removeUnless(s.chainId().toString(), () -> images.layerUsedByAnotherImage(s.chainId(), image));
          it.remove();
          progress = true;
        } catch (Snapshotter.InUseException stackedOn) {
          // a child recorded here goes first (next round); one a container or another layer uses stays
        } catch (RuntimeException e) {
          it.remove(); // gone already, or a directory prune removes
        }
      }
    }
  }

  /** What one layer counted; given back if it fails, so that unpacking it again does not count it twice. */
  final class Layer {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong entries = new AtomicLong();

    UnpackLimits limits() {
      return limits;
    }

    /** Counts {@code n} more uncompressed bytes; false when the image is now over its byte limit. */
    boolean addBytes(long n) {
      bytes.addAndGet(n);
      return UnpackBudget.this.bytes.addAndGet(n) <= limits.maxImageBytes();
    }

    /** Counts one more entry; false when the image is now over its entry limit. */
    boolean addEntry() {
      entries.incrementAndGet();
      return UnpackBudget.this.entries.incrementAndGet() <= limits.maxImageEntries();
    }

    /** The layer failed: what it wrote is gone. */
    void release() {
      UnpackBudget.this.bytes.addAndGet(-bytes.getAndSet(0));
      UnpackBudget.this.entries.addAndGet(-entries.getAndSet(0));
    }

    /** The layer's snapshot was recorded by this unpack (not found recorded by another process). */
    void recorded(Snapshot s) {
      synchronized (recorded) {
        recorded.add(s);
      }
    }

    String bytesProblem() {
      return "the image's layers together are over the limit of " + limits.maxImageBytes() + " uncompressed bytes "
          + "(a decompression bomb? raise DCONT_MAX_IMAGE_BYTES if the image is genuine)";
    }

    String entriesProblem() {
      return "takes the image over the limit of " + limits.maxImageEntries() + " entries for all its layers together "
          + "(a decompression bomb? raise DCONT_MAX_IMAGE_ENTRIES if the image is genuine)";
    }
  }
}
