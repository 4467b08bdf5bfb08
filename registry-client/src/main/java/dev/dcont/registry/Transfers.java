package dev.dcont.registry;

import dev.dcont.registry.RegistryException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Blob transfers of one pull or push, {@code threads} at a time, waited for together: the first failure cancels
 * the others and is thrown, after the cancelled ones have closed what they hold (ingest writers and their locks,
 * upload sessions), so that the caller's clean-up finds nothing still in use.
 */
final class Transfers {
  private Transfers() { }

  static void runAll(String threadName, int threads, List<Callable<Void>> tasks, String what) {
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (Callable<Void> task : tasks) {
        futures.add(pool.submit(task));
      }
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          pool.shutdownNow();
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) {
            throw re;
          }
          throw new RegistryException(Kind.SERVER_ERROR, what + " failed: " + c, c);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(Kind.UNREACHABLE, "interrupted", e);
    } finally {
      pool.shutdownNow();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
