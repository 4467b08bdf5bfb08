package dev.dcont.cli.net;

import dev.dcont.store.OwnerOnly;
import dev.dcont.store.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The lease files under {@code network/leases/}, the network lock, and who and where a lease was made. */
final class LeaseFiles {
  private LeaseFiles() { }

  /** Every lease, in no order; one that cannot be read (a write cut short) counts as none. */
  static List<Lease> all(NetPaths paths) {
    List<Lease> out = new ArrayList<>();
    if (!Files.isDirectory(paths.leases())) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(paths.leases(), "*.json")) {
      for (Path f : ds) {
        String n = f.getFileName().toString();
        read(paths, n.substring(0, n.length() - 5)).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Optional<Lease> read(NetPaths paths, String id) {
    Path f = paths.lease(id);
    try {
      return Optional.of(Lease.fromMap(Json.readObject(Files.readAllBytes(f), f.toString())));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static void write(NetPaths paths, Lease l) throws IOException {
    OwnerOnly.createDirectories(paths.leases());
    Path tmp = OwnerOnly.createUnique(paths.leases(), "." + l.id() + "-", ".tmp");
    Files.write(tmp, Json.write(l.toMap()));
    Files.move(tmp, paths.lease(l.id()), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The store's network lock (an fcntl lock: released when a killed dcont's descriptors close). */
  static FileLock lock(NetPaths paths) throws IOException {
    OwnerOnly.createDirectories(paths.state());
    FileChannel ch = FileChannel.open(paths.lock(), java.util.Set.of(StandardOpenOption.CREATE,
        StandardOpenOption.WRITE), OwnerOnly.fileAttribute());
    try {
      return new ChannelLock(ch, ch.lock());
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The lock and its channel, closed together. */
  private static final class ChannelLock extends FileLock {
    private final FileLock inner;

    ChannelLock(FileChannel ch, FileLock inner) {
      super(ch, 0, Long.MAX_VALUE, false);
      this.inner = inner;
    }

    @Override
    public boolean isValid() {
      return inner.isValid();
    }

    @Override
    public void release() throws IOException {
      try {
        inner.release();
      } finally {
        channel().close();
      }
    }
  }

  /** This process's network namespace ({@code net:[inode]}), where netavark makes bridges and rules. */
  static String hostNetns() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    } catch (IOException e) {
      return "";
    }
  }

  static long startOf(ProcessHandle h) {
    return h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
  }
}
