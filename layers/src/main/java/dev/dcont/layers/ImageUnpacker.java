package dev.dcont.layers;

import dev.dcont.layers.sys.NativeSyscalls;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.store.Store;
import dev.dcont.store.StoreLocks;
import dev.dcont.store.db.ImageRecord;
import dev.dcont.store.model.ChainId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Makes sure every layer of an image has a snapshot, unpacking missing ones in parallel. */
public final class ImageUnpacker {
  /** Progress of {@link #ensureUnpacked}; called from worker threads. */
  public interface Listener {
    Listener NONE = new Listener() { };

    default void unpacking(ImageRecord.Layer layer) { }

    /** {@code existed}: the snapshot was there already (shared with another image). */
    default void unpacked(ImageRecord.Layer layer, Snapshot snapshot, boolean existed) { }
  }

  private ImageUnpacker() { }

  /**
   * {@link #ensureUnpacked(Store, ImageRecord, Listener, Syscalls, UnpackBudget, int)} with the defaults; the
   * native calls are bound only if a layer has to be unpacked (a run of an unpacked image needs none here).
   */
  public static List<Snapshot> ensureUnpacked(Store store, ImageRecord image, Listener listener) {
    return ensureUnpacked(store, image, listener, new UnpackBudget(UnpackLimits.fromEnvironment()));
  }

  /** As above, counting toward {@code budget}, which a pull shares with the layers it unpacked while downloading. */
  public static List<Snapshot> ensureUnpacked(Store store, ImageRecord image, Listener listener,
      UnpackBudget budget) {
    return ensureUnpacked(store, image, listener, null, budget,
        Math.min(4, Runtime.getRuntime().availableProcessors()));
  }

  public static List<Snapshot> ensureUnpacked(Store store, ImageRecord image, Listener listener, Syscalls sys,
      UnpackLimits limits, int parallelism) {
    return ensureUnpacked(store, image, listener, sys, new UnpackBudget(limits), parallelism);
  }

  /**
   * Returns the image's snapshots from the base layer up. Layers are independent directories, so missing
   * ones are unpacked concurrently on up to {@code parallelism} threads. Holds the store's shared lock so
   * that {@code dcont system prune} cannot remove a snapshot being made. {@code sys} null: the native calls,
   * bound when the first missing layer is unpacked. When a layer fails (refused, over a limit of
   * {@code budget}, corrupt), the others are stopped and the snapshots that {@code budget} recorded for the
   * image are removed again: a refused image leaves no part of itself in the store.
   */
  public static List<Snapshot> ensureUnpacked(Store store, ImageRecord image, Listener listener, Syscalls sys,
      UnpackBudget budget, int parallelism) {
    SnapshotStore snapshots = SnapshotStore.of(store);
    List<ImageRecord.Layer> layers = image.layers();
    Snapshot[] out = new Snapshot[layers.size()];
    try (StoreLocks.Held lock = StoreLocks.shared(store.layout())) {
      List<Integer> missing = new ArrayList<>();
      java.util.Set<ChainId> seen = new java.util.HashSet<>();
      for (int i = 0; i < layers.size(); i++) {
        Optional<Snapshot> s = snapshots.get(layers.get(i).chainId());
        if (s.isPresent()) {
          out[i] = s.get();
          listener.unpacked(layers.get(i), s.get(), true);
        } else if (seen.add(layers.get(i).chainId())) {
          missing.add(i);
        }
      }
      if (!missing.isEmpty()) {
        LayerUnpacker unpacker = new LayerUnpacker(snapshots, store.content(), sys != null ? sys : NativeSyscalls.get(),
            budget);
        int threads = Math.max(1, Math.min(parallelism, missing.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
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
              Snapshot s = unpacker.unpack(l.digest(), l.mediaType(), l.diffId(), l.chainId(), parent);
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
          awaitEnd(pool);
          budget.discard(snapshots, store.images(), image.manifestDigest());
          throw e;
        } finally {
          pool.shutdownNow();
        }
      }
      for (int i = 0; i < layers.size(); i++) {
        if (out[i] == null) {
          // a layer repeated in the stack: same chain ID as an earlier one
          out[i] = snapshots.get(layers.get(i).chainId()).orElseThrow();
        }
      }
    }
    return List.of(out);
  }

  private static void awaitEnd(ExecutorService pool) {
    if (ParallelFiles.awaitTermination(pool)) {
      Thread.currentThread().interrupt();
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
}
