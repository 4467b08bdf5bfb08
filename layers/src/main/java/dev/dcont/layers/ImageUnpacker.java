package dev.dcont.layers;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.store.Store;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one way an image's layers become snapshots. Each missing layer goes through {@link LayerUnpacker}, which
 * reads the layer's compressed bytes from one of two sources:
 * <ul>
 *   <li>its download, while it arrives ({@link #stream}): a pull hands the blob's bytes to a {@link Feed}, which
 *       carries them through a {@link DownloadPipe} to the unpacker on a thread of its own, so that the snapshot
 *       is ready about when the download ends;</li>
 *   <li>its stored blob ({@link #unpack}), for every layer no feed recorded: blobs already in the store,
 *       downloads resumed from an earlier process's partial file, and feeds that failed or were aborted (their
 *       error, if real, comes again from the blob and is reported there).</li>
 * </ul>
 * Both count toward one {@link UnpackBudget}, so the image-wide limits cover the whole image, and a refusal
 * removes every snapshot this unpack recorded, streamed ones included.
 *
 * <p>The caller holds the store's shared lock ({@link StoreLocks#shared}) from the first {@link #stream} until
 * {@link #close} returns, so that {@code dcont system prune} cannot remove a snapshot being made;
 * {@link #ensureUnpacked} takes it itself.
 */
public final class ImageUnpacker implements AutoCloseable {
  /** Progress; called from the unpack threads. */
  public interface Listener {
    Listener NONE = new Listener() { };

    /** {@code layer} is being unpacked from its stored blob. */
    default void unpacking(ImageRecord.Layer layer) { }

    /**
     * {@code layer} has its snapshot; {@code existed}: it was there already (shared with another image), not
     * made by this unpack.
     */
    default void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) { }

    /**
     * {@code read} of the {@code layer.size()} bytes of {@code layer}'s blob have gone into its unpack (from the
     * stored blob, or written to its feed, then on the writer's thread).
     */
    default void read(ImageRecord.Layer layer, long read) { }
  }

  private final Store store;
  private final Listener listener;
  private final Syscalls sys;
  private final UnpackBudget budget;
  private final int parallelism;
  private SnapshotStore snapshots;
  private LayerUnpacker unpacker;
  private final Map<ChainId, Feed> feeds = new ConcurrentHashMap<>();

  /** With the limits of the environment and up to 4 layers unpacked from blobs at once. */
  public ImageUnpacker(Store store, Listener listener) {
    this(store, listener, null, UnpackLimits.fromEnvironment(), Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * The store's database and the native calls ({@code sys}, the platform's when null) are first used when a
   * layer needs them: a pull reaches its registry while they are made ready, and an image whose layers are all
   * unpacked binds no native call.
   */
  public ImageUnpacker(Store store, Listener listener, Syscalls sys, UnpackLimits limits, int parallelism) {
    this.store = store;
    this.listener = listener;
    this.sys = sys;
    this.budget = new UnpackBudget(limits);
    this.parallelism = Math.max(1, parallelism);
  }

  /** Makes sure every layer of {@code image} has a snapshot; see {@link #unpack}. Takes the shared lock. */
  public static List<Snapshot> ensureUnpacked(Store store, ImageRecord image, Listener listener) {
    return ensureUnpacked(store, image, listener, null, UnpackLimits.fromEnvironment(),
        Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  public static List<Snapshot> ensureUnpacked(Store store, ImageRecord image, Listener listener, Syscalls sys,
      UnpackLimits limits, int parallelism) {
    try (StoreLocks.Held lock = StoreLocks.shared(store.layout());
        ImageUnpacker u = new ImageUnpacker(store, listener, sys, limits, parallelism)) {
      return u.unpack(image);
    }
  }

  private synchronized SnapshotStore snapshots() {
    if (snapshots == null) {
      snapshots = SnapshotStore.of(store);
    }
    return snapshots;
  }

  private synchronized LayerUnpacker unpacker() {
    if (unpacker == null) {
      unpacker = new LayerUnpacker(snapshots(), store.content(), sys != null ? sys : NativeSyscalls.get(), budget);
    }
    return unpacker;
  }

  /**
   * Starts unpacking {@code layer} from the bytes its download will write to the returned feed, or returns null
   * when its snapshot exists already or a feed for its chain ID was started.
   *
   * @param parent the chain ID of the layer below, null for the base layer
   */
  public Feed stream(ImageRecord.Layer layer, ChainId parent) {
    if (snapshots().get(layer.chainId()).isPresent()) {
      return null;
    }
    Feed f = new Feed(layer, parent);
    if (feeds.putIfAbsent(layer.chainId(), f) != null) {
      return null;
    }
    f.thread.start();
    return f;
  }

  /**
   * Returns the image's snapshots from the base layer up: waits for the feeds, then unpacks every layer that is
   * still missing from its blob, concurrently on up to {@code parallelism} threads (layers are independent
   * directories). When a layer fails (refused, over a limit, corrupt), the others are stopped and the snapshots
   * this unpacker recorded are removed again: a refused image leaves no part of itself in the store.
   */
  public List<Snapshot> unpack(ImageRecord image) {
    for (Feed f : List.copyOf(feeds.values())) {
      f.await();
    }
    List<ImageRecord.Layer> layers = image.layers();
    Snapshot[] out = new Snapshot[layers.size()];
    List<Integer> missing = new ArrayList<>();
    Set<ChainId> seen = new HashSet<>();
    for (int i = 0; i < layers.size(); i++) {
      ImageRecord.Layer l = layers.get(i);
      Feed f = feeds.get(l.chainId());
      Optional<Snapshot> streamed = f == null ? Optional.empty() : f.result();
      if (streamed.isPresent()) {
        out[i] = streamed.get();
        continue;
      }
      Optional<Snapshot> s = snapshots().get(l.chainId());
      if (s.isPresent()) {
        out[i] = s.get();
        listener.unpacked(l, s.get(), true);
      } else if (seen.add(l.chainId())) {
        missing.add(i);
      }
    }
    if (!missing.isEmpty()) {
      unpackFromBlobs(image, layers, missing, out);
    }
    for (int i = 0; i < layers.size(); i++) {
      if (out[i] == null) {
        // a layer repeated in the stack: same chain ID as an earlier one
        out[i] = snapshots().get(layers.get(i).chainId()).orElseThrow();
      }
    }
    return List.of(out);
  }

  private void unpackFromBlobs(ImageRecord image, List<ImageRecord.Layer> layers, List<Integer> missing,
      Snapshot[] out) {
    LayerUnpacker u = unpacker();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, missing.size()), r -> {
      Thread t = new Thread(r, "unpack");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Snapshot>> futures = new ArrayList<>();
      for (int i : missing) {
        ImageRecord.Layer l = layers.get(i);
        ChainId parent = i == 0 ? null : layers.get(i - 1).chainId();
        futures.add(pool.submit(() -> {
          listener.unpacking(l);
          Snapshot s;
          try (InputStream blob = new Counting(store.content().open(l.digest()), l)) {
            s = u.unpack(blob, l.digest(), l.mediaType(), l.diffId(), l.chainId(), parent);
          } catch (IOException e) {
            throw StoreException.io("layer " + l.digest(), e);
          }
          listener.unpacked(l, s, false);
          return s;
        }));
      }
      for (int k = 0; k < missing.size(); k++) {
        out[missing.get(k)] = get(futures.get(k), futures);
      }
    } catch (RuntimeException | Error e) {
      // no layer may still be recording a snapshot while the recorded ones are removed
      pool.shutdownNow();
      if (ParallelFiles.awaitTermination(pool)) {
        Thread.currentThread().interrupt();
      }
      budget.discard(snapshots(), store.images(), image.manifestDigest());
      throw e;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Snapshot get(Future<Snapshot> f, List<Future<Snapshot>> all) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      all.forEach(x -> x.cancel(true));
      throw new LayerException("unpack interrupted");
    } catch (ExecutionException e) {
      all.forEach(x -> x.cancel(true));
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new LayerException(String.valueOf(c.getMessage()), c);
    }
  }

  /** Aborts the feeds whose download has not ended and waits for them (their temporary directories gone). */
  @Override
  public void close() {
    List<Feed> all = List.copyOf(feeds.values());
    for (Feed f : all) {
      f.abort(new IOException("pull ended before layer " + f.layer.digest() + " was downloaded"));
    }
    for (Feed f : all) {
      f.await();
    }
  }

  /** A stored blob's bytes as they go into its layer's unpack, told to the listener. */
  private final class Counting extends FilterInputStream {
    private final ImageRecord.Layer layer;
    private long read;

    Counting(InputStream in, ImageRecord.Layer layer) {
      super(in);
      this.layer = layer;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        listener.read(layer, ++read);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        read += n;
        listener.read(layer, read);
      }
      return n;
    }
  }

  /**
   * One layer being unpacked from its download. The snapshot is recorded only when the diff ID matched and the
   * download then called {@link #verified()} (blob size and digest checked; its commit follows); an
   * {@link #abort} or any unpack failure discards the temporary directory.
   */
  public final class Feed {
    private final ImageRecord.Layer layer;
    private final ChainId parent;
    private final DownloadPipe pipe = new DownloadPipe();
    private final Thread thread;
    private boolean ended;
    private long written;
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
        listener.unpacked(layer, s, false);
      } catch (RuntimeException | Error e) {
        failure = e;
      }
    }

    /** The blob's next bytes (download thread). */
    public void write(byte[] b, int off, int len) throws IOException {
      pipe.write(b, off, len);
      written += len;
      listener.read(layer, written);
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

    /** Waits for the unpack thread's end. */
    public void await() {
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
