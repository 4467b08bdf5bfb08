package dev.dcont.cli.commands;

import dev.dcont.cli.PullProgress;
import dev.dcont.layers.ImageUnpacker;
import dev.dcont.layers.LayerRefusedException;
import dev.dcont.layers.Snapshot;
import dev.dcont.registry.ImagePuller;
import dev.dcont.registry.LayerTap;
import dev.dcont.registry.PullEvent;
import dev.dcont.registry.PullListener;
import dev.dcont.registry.PullResult;
import dev.dcont.registry.RegistryOptions;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import dev.dcont.store.model.Platform;
import dev.dcont.store.model.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The CLI's one pull, for {@code dcont pull} and for {@code run}'s pull of a missing image: registry-client's
 * {@link ImagePuller} stores the image, and, unless told not to unpack, one {@link ImageUnpacker} makes its
 * snapshots (each layer fetched from its first byte while it downloads, the others from their blobs after), so
 * that the image is ready to run when the pull returns; "Pull complete" then means unpacked, as in Docker.
 * What happens is printed by a {@link PullProgress} from the pull's {@link PullEvent}s, with the
 * {@code Digest:} and {@code Status:} lines held back until the image is ready.
 */
public final class PullService {
  private final Store store;
  private final RegistryOptions options;
  private final boolean unpack;

  /** {@code unpack}: make the snapshots too (false: only download, as {@code pull --no-unpack}). */
  public PullService(Store store, int maxConcurrentDownloads, boolean unpack) {
    this.store = store;
    this.options = RegistryOptions.builder().maxConcurrentDownloads(maxConcurrentDownloads).build();
    this.unpack = unpack;
  }

  /**
   * Pulls {@code ref} (and unpacks it), telling {@code progress}. The image is recorded, and so listed and
   * runnable, only once its blobs are stored and its layers unpacked: a pull that fails before leaves no name on
   * it. An image whose layers are refused also loses its blobs and partial downloads, and its names if it had
   * some already (a broken download or a full disk keep what was fetched, to be resumed).
   *
   * @param platform the platform to choose from an index; null for this host's
   */
  public PullResult pull(Reference ref, Platform platform, PullProgress progress) {
    Events events = new Events(progress);
    PullResult pulled;
    ImageRecord[] stored = new ImageRecord[1];
    try (StoreLocks.Held lock = StoreLocks.shared(store.layout());
        ImageUnpacker unpacker = unpack ? new ImageUnpacker(store, events) : null) {
      LayerTap tap = unpacker == null ? LayerTap.NONE : new LayerTap() {
        @Override
        public LayerTap.Sink open(ImageRecord.Layer layer, ChainId parent) {
          return sink(unpacker.stream(layer, parent));
        }

        @Override
        public void stored(ImageRecord image) {
          stored[0] = image;
          unpacker.unpack(image);
        }
      };
      pulled = new ImagePuller(store, options).pull(ref, platform, events, tap);
    } catch (LayerRefusedException e) {
      if (stored[0] != null) {
        ImageRemoval.removeRefused(store, stored[0], Map.of(), e);
      }
      throw e;
    }
    events.summary.forEach(progress::event);
    return pulled;
  }

  /**
   * Passes the puller's events on and says a layer's pull is complete once it is both downloaded and unpacked
   * (or downloaded, when not unpacking); keeps {@code Digest:} and {@code Status:} for the end.
   */
  private final class Events implements PullListener, ImageUnpacker.Listener {
    private final PullProgress progress;
    private final List<PullEvent> summary = new ArrayList<>();
    private final Set<Digest> downloaded = new HashSet<>();
    private final Set<Digest> streamed = new HashSet<>();
    private final Set<Digest> extracting = new HashSet<>();

    Events(PullProgress progress) {
      this.progress = progress;
    }

    @Override
    public void event(PullEvent event) {
      if (event instanceof PullEvent.Resolved || event instanceof PullEvent.Finished) {
        summary.add(event);
        return;
      }
      progress.event(event);
      if (event instanceof PullEvent.LayerDownloaded d) {
        if (!unpack || both(downloaded, streamed, d.layer())) {
          progress.event(new PullEvent.LayerComplete(d.layer()));
        }
      }
    }

    @Override
    public void unpacking(ImageRecord.Layer layer) {
      synchronized (this) {
        extracting.add(layer.digest());
      }
      progress.event(new PullEvent.LayerExtracting(layer.digest()));
    }

    @Override
    public void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) {
      if (existed) {
        return;
      }
      boolean fromBlob;
      synchronized (this) {
        fromBlob = extracting.contains(layer.digest());
      }
      if (fromBlob || both(streamed, downloaded, layer.digest())) {
        progress.event(new PullEvent.LayerComplete(layer.digest()));
      }
    }

    /** Adds {@code d} to {@code mine}; true when {@code other} has it already (the second of the two). */
    private synchronized boolean both(Set<Digest> mine, Set<Digest> other, Digest d) {
      mine.add(d);
      return other.contains(d);
    }
  }

  private static LayerTap.Sink sink(ImageUnpacker.Feed feed) {
    if (feed == null) {
      return null;
    }
    return new LayerTap.Sink() {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        feed.write(b, off, len);
      }

      @Override
      public void verified() {
        feed.verified();
      }

      @Override
      public void abort(Throwable cause) {
        feed.abort(cause);
      }
    };
  }
}
