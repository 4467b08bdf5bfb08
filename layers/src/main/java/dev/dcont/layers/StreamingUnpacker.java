package dev.dcont.layers;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.store.Store;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unpacks layers while they download: each {@link Feed} takes a blob's bytes from the download thread and
 * hands them through a {@link DownloadPipe} to {@link LayerUnpacker} on a thread of its own, so a layer's
 * snapshot is ready about when its download ends. The snapshot is recorded only when the diff ID matched
 *  and the download then called {@link Feed#verified()} (blob size and digest checked; its commit follows); an
 * {@link Feed#abort} or any unpack failure discards the temporary directory. Failures are not reported here:
 * {@link ImageUnpacker#ensureUnpacked} afterwards finds the snapshot missing and unpacks the committed blob,
 * reporting its error if it fails again.
 *
 * <p>The caller holds the store's shared lock (as for {@link ImageUnpacker}) from the first
 * {@link #start} until {@link #awaitAll} or {@link #close} returns.
 */
public final class StreamingUnpacker implements AutoCloseable {
  /** Called from the unpack threads. */
  public interface Listener {
    Listener NONE = new Listener() { };

    /** {@code layer}'s snapshot was recorded from its download. */
    default void unpacked(ImageRecord.Layer layer, Snapshot snapshot) { }
  }

  private final Store store;
  private final Syscalls sys;
  private final UnpackBudget budget;
  private final Listener listener;
  private SnapshotStore snapshots;
  private LayerUnpacker unpacker;
  private final Set<ChainId> started = ConcurrentHashMap.newKeySet();
  private final List<Feed> feeds = new ArrayList<>();

  public StreamingUnpacker(Store store, Listener listener) {
    this(store, listener, null, UnpackLimits.fromEnvironment());
  }

  /**
   * The store's snapshots and the native calls ({@code sys}, the platform's when null) are first used by
   * {@link #start}.
   */
  public StreamingUnpacker(Store store, Listener listener, Syscalls sys, UnpackLimits limits) {
    this.store = store;
    this.sys = sys;
    this.budget = new UnpackBudget(limits);
    this.listener = listener;
  }

  /**
   * The image-wide limits and the snapshots recorded here: give it to
   * {@link ImageUnpacker#ensureUnpacked(Store, ImageRecord, ImageUnpacker.Listener, UnpackBudget)} for the same
   * image, so that the layers unpacked there count together with these and a refusal removes these too.
   */
  public UnpackBudget budget() {
    return budget;
  }

  private synchronized SnapshotStore snapshots() {
    if (snapshots == null) {
      snapshots = SnapshotStore.of(store);
      unpacker = new LayerUnpacker(snapshots, store.content(), sys != null ? sys : NativeSyscalls.get(), budget);
    }
    return snapshots;
  }

  private synchronized LayerUnpacker unpacker() {
    snapshots();
    return unpacker;
  }

  /**
   * Starts unpacking {@code layer} from the bytes its download will write, or returns null when its snapshot
   * exists already or a feed for its chain ID is running.
   */
  public Feed start(ImageRecord.Layer layer, ChainId parent) {
    if (snapshots().get(layer.chainId()).isPresent() || !started.add(layer.chainId())) {
      return null;
    }
    Feed f = new Feed(layer, parent);
    synchronized (feeds) {
      feeds.add(f);
    }
    f.thread.start();
    return f;
  }

  /** Waits for every started unpack to end; returns the snapshots recorded from downloads. */
  public List<Snapshot> awaitAll() {
    List<Snapshot> out = new ArrayList<>();
    for (Feed f : snapshotOfFeeds()) {
      f.await();
      f.result().ifPresent(out::add);
    }
    return out;
  }

  /** Aborts the feeds whose download has not ended and waits for all unpacks (their temporary directories gone). */
  @Override
  public void close() {
    for (Feed f : snapshotOfFeeds()) {
      f.abort(new IOException("pull ended before layer " + f.layer.digest() + " was downloaded"));
    }
    for (Feed f : snapshotOfFeeds()) {
      f.await();
    }
  }

  private List<Feed> snapshotOfFeeds() {
    synchronized (feeds) {
      return List.copyOf(feeds);
    }
  }

  /** One layer being unpacked from its download. */
  public final class Feed {
    private final ImageRecord.Layer layer;
    private final ChainId parent;
    private final DownloadPipe pipe = new DownloadPipe();
    private final Thread thread;
    private boolean ended;
    private volatile Snapshot snapshot;
    private volatile Throwable failure;

    private Feed(ImageRecord.Layer layer, ChainId parent) {
      this.layer = layer;
      this.parent = parent;
      this.thread = new Thread(this::run, "unpack-stream " + layer.digest().shortHex());
      this.thread.setDaemon(true);
    }

    private void run() {
      try (DownloadPipe in = pipe) {
        Snapshot s = unpacker().unpack(in, layer.digest(), layer.mediaType(), layer.diffId(), layer.chainId(), parent);
        snapshot = s;
        listener.unpacked(layer, s);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }

    /** The blob's next bytes (download thread). */
    public void write(byte[] b, int off, int len) throws IOException {
      pipe.write(b, off, len);
    }

    /** The blob is verified (its commit follows): the unpacker may record the snapshot once the diff ID matched. */
    public synchronized void verified() {
      if (!ended) {
        ended = true;
        pipe.finish();
      }
    }

    /** The download failed or restarted: the unpack fails and leaves nothing. */
    public synchronized void abort(Throwable cause) {
      if (!ended) {
        ended = true;
        pipe.fail(new IOException("download of blob " + layer.digest() + " did not complete: " + cause, cause));
      }
    }

    void await() {
      boolean interrupted = false;
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    /** The snapshot, once the unpack thread ended; empty when it failed or was aborted. */
    public Optional<Snapshot> result() {
      return Optional.ofNullable(snapshot);
    }

    /** Why the unpack failed, or null. */
    public Throwable failure() {
      return failure;
    }

    public ImageRecord.Layer layer() {
      return layer;
    }
  }
}
