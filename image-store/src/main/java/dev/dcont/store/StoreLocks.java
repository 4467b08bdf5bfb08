package dev.dcont.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;

/**
 * Store-wide lock between writers that add content (pulls: shared) and garbage collection
 * (exclusive), so that a blob committed by a pull is never collected before its image row exists.
 */
public final class StoreLocks {
  private StoreLocks() { }

  /** A held lock; close to release. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  public static Held shared(StoreLayout layout) {
    return acquire(layout, true);
  }

  public static Held exclusive(StoreLayout layout) {
    return acquire(layout, false);
  }

  private static Held acquire(StoreLayout layout, boolean shared) {
    try {
      OwnerOnly.createDirectories(layout.locksDir());
      FileChannel ch = FileChannel.open(layout.locksDir().resolve("gc.lock"), java.util.Set.of(
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ), OwnerOnly.fileAttribute());
      FileLock lock = ch.lock(0, Long.MAX_VALUE, shared);
      return () -> {
        try {
          lock.release();
          ch.close();
        } catch (IOException ignored) {
          // closing the channel releases the lock anyway
        }
      };
    } catch (IOException e) {
      throw StoreException.io("store lock in " + layout.locksDir(), e);
    }
  }
}
