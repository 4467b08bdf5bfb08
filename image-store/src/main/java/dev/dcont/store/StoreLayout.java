package dev.dcont.store;

import dev.dcont.store.model.Digest;
import java.nio.file.Path;
import java.util.List;

/** The only place that knows where things live under the store root. */
public final class StoreLayout {
  private final Path root;

  public StoreLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** {@code --root}, else {@code $DCONT_ROOT}, else {@code /var/lib/dcont}. */
  public static Path defaultRoot() {
    String env = System.getenv("DCONT_ROOT");
    return Path.of(env != null && !env.isEmpty() ? env : "/var/lib/dcont");
  }

  public Path root() {
    return root;
  }

  public Path blobsDir() {
    return root.resolve("blobs").resolve("sha256");
  }

  public Path blob(Digest d) {
    return root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex());
  }

  public Path ingestDir() {
    return root.resolve("ingest");
  }

  public Path ingestPartial(Digest d) {
    return ingestDir().resolve(d.hex() + ".partial");
  }

  public Path ingestLock(Digest d) {
    return ingestDir().resolve(d.hex() + ".lock");
  }

  /** The partial file of a blob whose digest is learnt from its bytes, under a name of its writer's. */
  public Path ingestPartial(String name) {
    return ingestDir().resolve(name + ".partial");
  }

  public Path ingestLock(String name) {
    return ingestDir().resolve(name + ".lock");
  }

  public Path snapshotsDir() {
    return root.resolve("snapshots");
  }

  public Path snapshot(long id) {
    return snapshotsDir().resolve(Long.toString(id));
  }

  public Path snapshotFs(long id) {
    return snapshot(id).resolve("fs");
  }

  public Path linksDir() {
    return root.resolve("l");
  }

  public Path containersDir() {
    return root.resolve("containers");
  }

  public Path container(String id) {
    if (!id.matches("[a-f0-9]{64}")) {
      throw new IllegalArgumentException("invalid container id " + id);
    }
    return containersDir().resolve(id);
  }

  /** The runtime's per-container state (pids, exit codes, monitor sockets). */
  public Path runtimeDir() {
    return root.resolve("runtime");
  }

  /** Output of a detached container. */
  public Path containerLog(String id) {
    return container(id).resolve("container.log");
  }

  public Path tmpDir() {
    return root.resolve("tmp");
  }

  public Path database() {
    return root.resolve("dcont.db");
  }

  public Path locksDir() {
    return root.resolve("locks");
  }

  /** The directories directly under the root. */
  public List<Path> topLevelDirs() {
    return List.of(root.resolve("blobs"), blobsDir(), ingestDir(), snapshotsDir(), linksDir(), containersDir(),
        runtimeDir(), tmpDir(), locksDir());
  }

  /** The database and the files SQLite keeps beside it (write-ahead log, shared memory, journal). */
  public List<Path> databaseFiles() {
    Path db = database();
    return List.of(db, db.resolveSibling(db.getFileName() + "-wal"), db.resolveSibling(db.getFileName() + "-shm"),
        db.resolveSibling(db.getFileName() + "-journal"));
  }
}
