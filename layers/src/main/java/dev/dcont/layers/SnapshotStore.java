package dev.dcont.layers;

import dev.dcont.store.OwnerOnly;
import dev.dcont.store.StoreException;
import dev.dcont.store.StoreLayout;
import dev.dcont.store.db.MetadataDb;
import dev.dcont.store.model.ChainId;
import dev.dcont.store.model.Digest;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The snapshotter of dcont ({@link Snapshotter}): committed snapshots are unpacked layers (table {@code snapshots},
 * directories {@code snapshots/<id>/fs} reachable as {@code l/<link>}), active ones are layers being unpacked
 * ({@code snapshots/tmp-<uuid>/fs}, known to this object only) and containers' roots and views
 * ({@link RootfsTable}, directories {@code containers/<key>/}). A layer is unpacked into its temporary directory,
 * then renamed to {@code snapshots/<id>} and recorded in one transaction, so a row always names a complete
 * directory; a crash leaves a temporary or unrecorded directory that {@link StorePruner} removes.
 */
public final class SnapshotStore implements Snapshotter {
  static final String TMP_PREFIX = "tmp-";
  private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> ROOT_DIR =
      java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");

  /** A layer being unpacked by this process: its directory and the parent it will be committed with. */
  private record Extraction(Path dir, ChainId parent, long created) { }

  private final StoreLayout layout;
  private final MetadataDb db;
  private final SnapshotTable rows;
  private final RootfsTable roots;
  private final Map<String, Extraction> extracting = new java.util.concurrent.ConcurrentHashMap<>();

  public SnapshotStore(StoreLayout layout, MetadataDb db) {
    this.layout = layout;
    this.db = db;
    this.rows = new SnapshotTable(db);
    this.roots = new RootfsTable(db);
  }

  public static SnapshotStore of(dev.dcont.store.Store store) {
    return new SnapshotStore(store.layout(), store.db());
  }

  RootfsTable roots() {
    return roots;
  }

  public StoreLayout layout() {
    return layout;
  }

  @Override
  public Optional<Snapshot> get(ChainId chainId) {
    return rows.get(chainId);
  }

  @Override
  public Map<ChainId, Snapshot> committed() {
    return rows.all();
  }

  @Override
  public Optional<Info> stat(String key) {
    Optional<ChainId> name = name(key);
    if (name.isPresent()) {
      return get(name.get()).map(s -> new Info(Kind.COMMITTED, key, s.parent() == null ? null : s.parent().toString(),
          s.created()));
    }
    if (key.startsWith(EXTRACT_PREFIX)) {
      Extraction e = extracting.get(key);
      return e == null ? Optional.empty() : Optional.of(new Info(Kind.ACTIVE, key,
          e.parent() == null ? null : e.parent().toString(), e.created()));
    }
    return roots.find(key).map(SnapshotStore::info);
  }

  private static Info info(RootfsManager.Rootfs r) {
    return new Info(RootfsManager.VIEW.equals(r.state()) ? Kind.VIEW : Kind.ACTIVE, r.containerId(),
        r.topChainId() == null ? null : r.topChainId().toString(), r.created());
  }

  @Override
  public Usage usage(String key) {
    Optional<ChainId> name = name(key);
    if (name.isPresent()) {
      Snapshot s = get(name.get()).orElseThrow(() -> notFound(key));
      return new Usage(s.size(), s.files());
    }
    Info info = stat(key).orElseThrow(() -> notFound(key));
    try {
      Path dir = key.startsWith(EXTRACT_PREFIX) ? extracting.get(key).dir().resolve("fs")
          : layout.container(key).resolve("upper");
      if (info.kind() == Kind.VIEW || !Files.isDirectory(dir)) {
        return new Usage(0, 0);
      }
      Measure m = measure(dir);
      return new Usage(m.size(), m.files());
    } catch (IOException e) {
      // a running container changes its upper directory under the walk: nothing to count rather than a failed df
      return new Usage(0, 0);
    }
  }

  @Override
  public MountSpec mounts(String key) {
    if (key.startsWith(EXTRACT_PREFIX)) {
      Extraction e = extracting.get(key);
      if (e == null) {
        throw notFound(key);
      }
      return extractionMounts(key, e);
    }
    String state = roots.find(key).map(RootfsManager.Rootfs::state).orElse(null);
    List<Snapshot> chain = state == null ? List.of() : roots.stack(key, id -> {
      throw new LayerException("container " + RootfsManager.abbrev(key) + ": snapshot " + id + " is missing (run "
          + "'dcont system check')");
    });
    if (chain.isEmpty()) {
      throw new LayerException("container " + RootfsManager.abbrev(key) + ": no root file system (prepare it first)");
    }
    return MountSpec.overlay(layout, key, chain, RootfsManager.VIEW.equals(state));
  }

  private MountSpec extractionMounts(String key, Extraction e) {
    Path fs = e.dir().resolve("fs");
    return new MountSpec(key, fs, null, List.of(), List.of(), fs, null, "");
  }

  @Override
  public MountSpec prepare(String key, String parent, Digest image) {
    if (key.startsWith(EXTRACT_PREFIX)) {
      return prepareExtraction(key, parent == null ? null : parseName(parent));
    }
    return prepareRoot(key, parent, image, RootfsManager.PREPARED);
  }

  @Override
  public MountSpec view(String key, String parent) {
    if (key.startsWith(EXTRACT_PREFIX)) {
      throw new LayerException("snapshot " + key + ": a view is over a committed snapshot, not a layer to unpack");
    }
    return prepareRoot(key, parent, null, RootfsManager.VIEW);
  }

  /** A fresh directory with an empty {@code fs/} for a layer to unpack into. */
  private MountSpec prepareExtraction(String key, ChainId parent) {
    Path tmp = layout.snapshotsDir().resolve(TMP_PREFIX + key.substring(EXTRACT_PREFIX.length()));
    Extraction e = new Extraction(tmp, parent, System.currentTimeMillis());
    if (extracting.putIfAbsent(key, e) != null) {
      throw new LayerException("snapshot " + key + ": exists already");
    }
    try {
      OwnerOnly.createDirectories(layout.snapshotsDir());
      OwnerOnly.createDirectory(tmp, OwnerOnly.DIR);
      // the layer's own "./" entry, if it has one, sets the mode of fs; without one it is a plain 0755 directory
      OwnerOnly.createDirectory(tmp.resolve("fs"), ROOT_DIR);
    } catch (java.nio.file.FileAlreadyExistsException x) {
      extracting.remove(key);
      throw new LayerException("snapshot " + key + ": exists already");
    } catch (IOException x) {
      extracting.remove(key);
      throw StoreException.io("snapshot directory in " + layout.snapshotsDir(), x);
    }
    return extractionMounts(key, e);
  }

  /** Records a container's root or a view over {@code parent}'s stack, then makes its directories. */
  private MountSpec prepareRoot(String key, String parent, Digest image, String state) {
    Path dir = layout.container(key); // validates the key
    if (parent == null) {
      throw new LayerException("container " + RootfsManager.abbrev(key) + ": a root file system needs a parent "
          + "snapshot");
    }
    ChainId top = parseName(parent);
    List<Snapshot> chain = db.inTransaction(c -> {
      List<Snapshot> s = SnapshotTable.stack(c, top);
      roots.insert(c, key, image, top, state, s.stream().map(Snapshot::chainId).toList());
      return s;
    });
    try {
      // the container's directory keeps other users away from its upper layer (setuid files the container made)
      // and its bundle; the upper directory's own mode is the mode of the container's "/", which every user in the
      // container must be able to traverse
      OwnerOnly.createDirectories(layout.containersDir());
      OwnerOnly.createDirectory(dir, OwnerOnly.DIR);
      if (!RootfsManager.VIEW.equals(state)) {
        OwnerOnly.createDirectory(dir.resolve("upper"), PosixFilePermissions.fromString("rwxr-xr-x"));
        OwnerOnly.createDirectory(dir.resolve("work"), OwnerOnly.DIR);
      }
      OwnerOnly.createDirectory(dir.resolve("rootfs"), OwnerOnly.DIR);
    } catch (IOException e) {
      throw StoreException.io("container " + RootfsManager.abbrev(key) + " directory " + dir, e);
    }
    return MountSpec.overlay(layout, key, chain, RootfsManager.VIEW.equals(state));
  }

  /** What a directory measures, as {@code du --apparent-size -b} and {@code find | wc -l} minus one. */
  public record Measure(long size, long files) { }

  public static Measure measure(Path fs) throws IOException {
    long[] acc = new long[2];
    Set<Object> inodes = new HashSet<>();
    Files.walkFileTree(fs, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
        acc[0] += a.size();
        acc[1]++;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        acc[1]++;
        // hardlinks count once: by inode, from the walk's own lstat (asking for the link count was a second one)
        if (a.isRegularFile() && !inodes.add(a.fileKey())) {
          return FileVisitResult.CONTINUE;
        }
        acc[0] += a.size();
        return FileVisitResult.CONTINUE;
      }
    });
    return new Measure(acc[0], acc[1] - 1);
  }

  /**
   * Makes a layer's temporary directory permanent: renames it to {@code snapshots/<id>}, links {@code l/<link>} to
   * its {@code fs}, and records it, in one transaction.
   */
  @Override
  public Snapshot commit(String name, String key, Layer layer) {
    ChainId chainId = parseName(name);
    Extraction e = key.startsWith(EXTRACT_PREFIX) ? extracting.get(key) : null;
    if (e == null) {
      Info info = stat(key).orElseThrow(() -> notFound(key));
      throw new LayerException("snapshot " + key + ": " + (info.kind() == Kind.VIEW ? "a view cannot be committed"
          : info.kind() == Kind.COMMITTED ? "committed already" : "a container's root is not committed (dcont makes "
          + "no image from a container)"));
    }
    Path tmp = e.dir();
    Snapshot s;
    try {
      OwnerOnly.createDirectories(layout.linksDir());
      s = db.inTransaction(c -> {
        if (SnapshotTable.get(c, chainId).isPresent()) {
          throw new ExistsException("snapshot " + chainId + ": committed already");
        }
        Snapshot made = SnapshotTable.insert(c, chainId, e.parent(), layer);
        try {
          Path dir = made.dir(layout);
          if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Trees.deleteTree(dir); // left by a crash: ids are never reused, so no row names it
          }
          Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
          Path l = made.linkPath(layout);
          Files.deleteIfExists(l);
          Files.createSymbolicLink(l, Path.of("..", "snapshots", Long.toString(made.id()), "fs"));
        } catch (IOException x) {
          throw new java.io.UncheckedIOException(x);
        }
        return made;
      });
    } catch (IOException | java.io.UncheckedIOException x) {
      IOException io = x instanceof IOException i ? i : ((java.io.UncheckedIOException) x).getCause();
      throw StoreException.io("snapshot " + chainId, io);
    }
    extracting.remove(key);
    return s;
  }

  @Override
  public void remove(String key) {
    removeUnless(key, () -> false);
  }

  @Override
  public boolean removeUnless(String key, java.util.function.BooleanSupplier inUse) {
    Optional<ChainId> name = name(key);
    if (name.isPresent()) {
      Snapshot s = db.inTransaction(c -> {
        Snapshot found = SnapshotTable.get(c, name.get()).orElseThrow(() -> notFound(key));
        if (inUse.getAsBoolean()) {
          return null;
        }
        String child = SnapshotTable.child(c, name.get());
        if (child != null) {
          throw new InUseException("snapshot " + key + ": snapshot " + child + " stacks on it (remove that first)");
        }
        String root = RootfsTable.stackedOn(c, name.get());
        if (root != null) {
          throw new InUseException("snapshot " + key + ": container " + RootfsManager.abbrev(root) + "'s root "
              + "stacks on it (remove the container first)");
        }
        SnapshotTable.delete(c, found.id());
        return found;
      });
      if (s == null) {
        return false;
      }
      // the row went first, so the snapshot is never visible half-deleted; a failure here leaves what prune removes
      try {
        Files.deleteIfExists(s.linkPath(layout));
        Trees.deleteTree(s.dir(layout));
      } catch (IOException e) {
        throw StoreException.io("snapshot " + s.chainId() + " directory " + s.dir(layout), e);
      }
      return true;
    }
    if (inUse.getAsBoolean()) {
      return false;
    }
    if (key.startsWith(EXTRACT_PREFIX)) {
      Extraction e = extracting.remove(key);
      if (e != null) {
        Trees.deleteQuietly(e.dir());
      }
      return true;
    }
    roots.delete(key);
    try {
      Trees.deleteTree(layout.container(key));
    } catch (IOException e) {
      throw StoreException.io("container " + RootfsManager.abbrev(key) + " directory", e);
    }
    return true;
  }

  @Override
  public void walk(java.util.function.Consumer<Info> fn) {
    for (Snapshot s : committed().values()) {
      fn.accept(new Info(Kind.COMMITTED, s.chainId().toString(), s.parent() == null ? null : s.parent().toString(),
          s.created()));
    }
    for (RootfsManager.Rootfs r : roots.list()) {
      fn.accept(info(r));
    }
    for (Map.Entry<String, Extraction> e : extracting.entrySet()) {
      fn.accept(new Info(Kind.ACTIVE, e.getKey(), e.getValue().parent() == null ? null
          : e.getValue().parent().toString(), e.getValue().created()));
    }
  }

  /** The chain ID a key names when it is a committed snapshot's name. */
  private static Optional<ChainId> name(String key) {
    return key.startsWith("sha256:") ? Optional.of(parseName(key)) : Optional.empty();
  }

  private static ChainId parseName(String name) {
    try {
      return ChainId.parse(name);
    } catch (IllegalArgumentException e) {
      throw new LayerException("snapshot " + name + ": not a chain ID (sha256:<64 hex digits>)");
    }
  }

  private static LayerException notFound(String key) {
    return new LayerException("snapshot " + key + ": no such snapshot");
  }
}
