package dev.dcont.store;

import dev.dcont.store.content.ContentStore;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/** Deletes blobs nothing references and abandoned downloads. Callers hold {@link StoreLocks#exclusive}. */
public final class GarbageCollector {
  private final ContentStore content;

  public GarbageCollector(ContentStore content) {
    this.content = content;
  }

  /** What a collection removed. */
  public record Result(List<Digest> blobs, long bytes) { }

  /** Deletes every committed blob not in {@code keep}. */
  public Result collectBlobs(Set<Digest> keep) throws IOException {
    List<Digest> removed = new ArrayList<>();
    long bytes = 0;
    for (Digest d : content.list()) {
      if (!keep.contains(d)) {
        long size = content.size(d);
        if (content.delete(d)) {
          removed.add(d);
          bytes += Math.max(size, 0);
        }
      }
    }
    return new Result(removed, bytes);
  }

  /** Deletes partial downloads no process is writing; returns bytes freed. */
  public long collectIngest() throws IOException {
    Path dir = content.layout().ingestDir();
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    long bytes = 0;
    List<Path> partials;
    try (Stream<Path> s = Files.list(dir)) {
      partials = s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList();
    }
    for (Path partial : partials) {
      bytes += deletePartial(dir, partial.getFileName().toString().replace(".partial", ""));
    }
    return bytes;
  }

  /** Deletes the partial downloads of {@code blobs} that no process is writing; returns bytes freed. */
  public long collectIngest(Collection<Digest> blobs) throws IOException {
    Path dir = content.layout().ingestDir();
    long bytes = 0;
    for (Digest d : blobs) {
      if (Files.exists(content.layout().ingestPartial(d))) {
        bytes += deletePartial(dir, d.hex());
      }
    }
    return bytes;
  }

  private static long deletePartial(Path dir, String hex) throws IOException {
    Path partial = dir.resolve(hex + ".partial");
    Path lockFile = dir.resolve(hex + ".lock");
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return 0;
      }
      try {
        long size = Files.size(partial);
        long freed = Files.deleteIfExists(partial) ? size : 0;
        Files.deleteIfExists(lockFile);
        return freed;
      } finally {
        if (lock.isValid()) {
          lock.release();
        }
      }
    } catch (java.nio.channels.OverlappingFileLockException busy) {
      // written by this process right now
      return 0;
    }
  }
}
