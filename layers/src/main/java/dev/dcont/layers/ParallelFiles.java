package dev.dcont.layers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a layer's small regular files on worker threads while {@link LayerApplier} goes on with the next
 * entries. Creating a file is mostly kernel work (ext4 spends it finding a free inode), and one thread
 * creating file after file, as tar does, leaves the other cores idle. The applier keeps every change to the
 * tree's names on its own thread and in tar order; the workers only fill in and finish files the applier has
 * named, and it drains them before anything could touch those names again (see LayerApplier#removeExisting).
 * The bytes held for pending files are bounded, and the buffers that hold them are used again for later files
 * (a root of 200 MB would otherwise allocate 200 MB of arrays: a garbage collection in the middle of the
 * unpack and as many fresh pages of memory, each of which costs the kernel a page to clear).
 */
final class ParallelFiles implements AutoCloseable {
  /** Work on one file. */
  interface Job {
    void run() throws IOException;
  }

  /** Files up to this size go to the workers; larger ones are written by the applier itself. */
  static final int MAX_FILE = 1 << 20;
  private static final int BUDGET_KIB = 8 << 10; // 8 MiB of file contents pending at most
  private static final int MIN_BUFFER_SHIFT = 12; // buffers come in powers of two from 4 KiB to MAX_FILE

  private static ExecutorService shared;

  private final ExecutorService pool;
  private final boolean ownPool;
  private final Semaphore budget = new Semaphore(BUDGET_KIB);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Object lock = new Object();
  private int pending;
  /** Free buffers by size class (index: log2(length) - MIN_BUFFER_SHIFT); guarded by {@link #lock}. */
  @SuppressWarnings("unchecked")
  private final ArrayDeque<byte[]>[] free = new ArrayDeque[
      Integer.numberOfTrailingZeros(MAX_FILE) - MIN_BUFFER_SHIFT + 1];

  /**
   * Files of one layer on the process-wide workers ({@link #defaultWorkers()} threads, shared by the layers
   * that unpack at the same time, so that several layers do not multiply the threads).
   */
  ParallelFiles() {
    this.pool = sharedPool();
    this.ownPool = false;
  }

  /** Files of one layer on {@code workers} threads of its own. */
  ParallelFiles(int workers, String name) {
    this.pool = newPool(workers, "unpack-files " + name);
    this.ownPool = true;
  }

  private static synchronized ExecutorService sharedPool() {
    if (shared == null) {
      shared = newPool(Math.max(1, defaultWorkers()), "unpack-files");
    }
    return shared;
  }

  private static ExecutorService newPool(int workers, String name) {
    int[] n = {0};
    return Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, name + " #" + (++n[0]));
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * The number of workers: {@code DCONT_UNPACK_WORKERS} if set (0 writes every file on the applier's thread),
   * else one fewer than the cores (the applier and the decompressing thread are busy too), at least 1 and at
   * most 3. On 2 cores one worker unpacks as fast as two when file creation is cheap, and faster when ext4
   * is slow to find free inodes after a large delete: two workers then scan the same block groups and spend
   * about twice the system time.
   */
  static int defaultWorkers() {
    String v = System.getenv("DCONT_UNPACK_WORKERS");
    if (v != null && !v.isBlank()) {
      try {
        return Math.max(0, Math.min(64, Integer.parseInt(v.strip())));
      } catch (NumberFormatException e) {
        throw new LayerException("environment DCONT_UNPACK_WORKERS=" + v + ": not a number (give a count of threads)");
      }
    }
    return Math.max(1, Math.min(3, Runtime.getRuntime().availableProcessors() - 1));
  }

  /**
   * A buffer of at least {@code size} bytes (at most {@link #MAX_FILE}) for one file's content: one that an
   * earlier file has finished with, else a new one. Hand it to {@link #submit}, which takes it back.
   */
  byte[] buffer(int size) {
    if (size < 0 || size > MAX_FILE) {
      throw new IllegalArgumentException("buffer of " + size + " bytes");
    }
    int shift = Math.max(MIN_BUFFER_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, size) - 1));
    synchronized (lock) {
      ArrayDeque<byte[]> q = free[shift - MIN_BUFFER_SHIFT];
      byte[] b = q == null ? null : q.poll();
      if (b != null) {
        return b;
      }
    }
    return new byte[1 << shift];
  }

  /**
   * Queues {@code job}, which writes {@code bytes} of content held in {@code buffer} (from {@link #buffer});
   * waits while too many bytes are pending. The buffer is taken back once the job is done.
   */
  void submit(byte[] buffer, int bytes, Job job) throws IOException {
    rethrow();
    int permits = Math.max(1, (bytes + 1023) >> 10);
    budget.acquireUninterruptibly(permits);
    synchronized (lock) {
      pending++;
    }
    pool.execute(() -> {
      try {
        if (failure.get() == null) {
          job.run();
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      } finally {
        budget.release(permits);
        synchronized (lock) {
          recycle(buffer);
          if (--pending == 0) {
            lock.notifyAll();
          }
        }
      }
    });
  }

  /** Keeps a finished buffer for a later file; called with {@link #lock} held. */
  private void recycle(byte[] buffer) {
    int shift = Integer.numberOfTrailingZeros(buffer.length);
    if (buffer.length != 1 << shift || shift < MIN_BUFFER_SHIFT || shift - MIN_BUFFER_SHIFT >= free.length) {
      return; // not one of ours
    }
    ArrayDeque<byte[]> q = free[shift - MIN_BUFFER_SHIFT];
    if (q == null) {
      q = free[shift - MIN_BUFFER_SHIFT] = new ArrayDeque<>();
    }
    // no more of a size than could be pending at once: the budget bounds what the pool keeps too
    if ((long) (q.size() + 1) * buffer.length <= (long) BUDGET_KIB << 10) {
      q.push(buffer);
    }
  }

  /** Waits until every queued file is done; rethrows the first failure. */
  void drain() throws IOException {
    if (awaitNonePending()) {
      Thread.currentThread().interrupt();
    }
    rethrow();
  }

  /** Waits until no file of this layer is queued or being written; returns whether it was interrupted. */
  private boolean awaitNonePending() {
    boolean interrupted = false;
    synchronized (lock) {
      while (pending > 0) {
        try {
          lock.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    return interrupted;
  }

  private void rethrow() throws IOException {
    Throwable t = failure.get();
    if (t == null) {
      return;
    }
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof UncheckedIOException e) {
      throw e.getCause();
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IOException(t);
  }

  /**
   * Stops this layer's files: those not started are skipped; returns once none is being written (a failed
   * unpack deletes the tree right after).
   */
  @Override
  public void close() {
    failure.compareAndSet(null, new IOException("unpack stopped"));
    boolean interrupted = awaitNonePending();
    if (ownPool) {
      pool.shutdown();
      interrupted |= awaitTermination(pool);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits, through interrupts, until the shut-down {@code pool} has ended: its tasks write into a tree that the
   * caller deletes next. Returns whether the wait was interrupted, for the caller to restore the flag.
   */
  static boolean awaitTermination(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
          return interrupted;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }
}
