package dev.dcont.layers;

import com.github.luben.zstd.ZstdInputStream;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.layers.tar.TarReader;
import dev.dcont.store.StoreException;
import dev.dcont.store.content.BlobReader;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Unpacks one layer blob into a new snapshot: decompresses (gzip, zstd or none), checks the uncompressed
 * SHA-256 against the config's diff ID while {@link LayerApplier} writes the entries, and commits the
 * snapshot only when the digest matches; otherwise the temporary directory is discarded.
 */
public final class LayerUnpacker {
  private static final int BUFFER = 1 << 20;
  private final Snapshotter snapshots;
  private final BlobReader blobs;
  private final Syscalls sys;
  private final UnpackLimits limits;
  private final UnpackBudget budget;

  /** {@code budget}: the image-wide limits, shared by the layers of one image's unpack. */
  public LayerUnpacker(Snapshotter snapshots, BlobReader blobs, Syscalls sys, UnpackBudget budget) {
    this.snapshots = snapshots;
    this.blobs = blobs;
    this.sys = sys;
    this.limits = budget.limits();
    this.budget = budget;
  }

  /** Unpacks {@code layerDigest} from the store as the snapshot for {@code chainId}. */
  public Snapshot unpack(Digest layerDigest, MediaType mediaType, Digest diffId, ChainId chainId, ChainId parent) {
    try (InputStream blob = blobs.open(layerDigest)) {
      return unpack(blob, layerDigest, mediaType, diffId, chainId, parent);
    } catch (IOException e) {
      throw StoreException.io("layer " + layerDigest, e);
    }
  }

  /**
   * Unpacks a compressed layer read from {@code compressed} (a blob, or a download being streamed through
   * the unpacker). The caller checks the compressed digest; this checks the diff ID, and records the snapshot
   * only after {@code compressed} has ended without an error (read to its end).
   */
  public Snapshot unpack(InputStream compressed, Digest layerDigest, MediaType mediaType, Digest diffId,
      ChainId chainId, ChainId parent) {
    String name = layerDigest == null ? diffId.toString() : layerDigest.toString();
    String key = Snapshotter.extractKey();
    Path fs = snapshots.prepare(key, parent == null ? null : parent.toString(), null).upperDir();
    UnpackBudget.Layer share = budget.layer();
    boolean done = false;
    try {
      InputStream buffered = new BufferedInputStream(compressed, BUFFER);
      InputStream raw = switch (mediaType.compression()) {
        case GZIP -> Igzip.decompress(buffered);
        case ZSTD -> new ZstdInputStream(buffered);
        case NONE -> buffered;
      };
      Digest actual;
      LayerApplier applier = new LayerApplier(sys, share, name, fs);
      try (ChunkPipe tarStream = new ChunkPipe(raw, limits.maxBytes(), share, name)) {
        applier.apply(new TarReader(tarStream));
        actual = tarStream.drainAndDigest();
        // The compressed stream has to end cleanly before the snapshot is recorded: a layer streamed from a
        // download ends only once the blob's size and digest are verified (DownloadPipe), and fails otherwise.
        buffered.transferTo(OutputStream.nullOutputStream());
      } catch (java.util.zip.ZipException | com.github.luben.zstd.ZstdIOException e) {
        throw new LayerException("layer " + name + ": cannot decompress as " + mediaType.compression().name()
            .toLowerCase() + " (" + e.getMessage() + "); remove the image and pull it again");
      }
      if (!actual.equals(diffId)) {
        throw new LayerException("layer " + name + ": uncompressed content is " + actual + " but the image config "
            + "says diff_id " + diffId + " (the layer is corrupt or the image is inconsistent; remove it and pull "
            + "again)");
      }
      SnapshotStore.Measure m = applier.measure();
      Snapshot s;
      try {
        s = snapshots.commit(chainId.toString(), key,
            new Snapshotter.Layer(diffId, layerDigest, new Snapshotter.Usage(m.size(), m.files())));
      } catch (Snapshotter.ExistsException recordedByAnotherProcess) {
        snapshots.remove(key);
        done = true;
        return snapshots.get(chainId).orElseThrow(() -> recordedByAnotherProcess);
      }
      done = true;
      share.recorded(s);
      return s;
    } catch (LayerApplier.LimitExceededException e) {
      throw new LayerRefusedException("layer " + name + ": " + e.getMessage());
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("No space left")) {
        throw StoreException.io("layer " + name, e);
      }
      throw new LayerException("layer " + name + ": " + e.getMessage() + " (remove the image and pull it again)", e);
    } finally {
      if (!done) {
        try {
          snapshots.remove(key);
        } catch (RuntimeException e) {
          // the directory stays for prune to remove; the unpack's own failure is the one to report
        }
        share.release();
      }
    }
  }
}
