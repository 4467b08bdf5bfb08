package dev.dcont.layers;

import dev.dcont.layers.LayerPaths.Kind;
import dev.dcont.layers.LayerPaths.Node;
import dev.dcont.layers.sys.Syscalls;
import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarHeaderException;
import dev.dcont.layers.tar.TarReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every rule of turning a layer tar into a snapshot directory, in one place (as containerd's
 * {@code archive.Apply}): tar semantics as GNU tar and Docker apply them, whiteouts to overlayfs form, and
 * confinement. The target directory must start empty; the applier tracks everything it creates, so it
 * never needs to ask the file system what a path is and never follows a link it did not resolve itself.
 *
 * <p>Refused, with one line naming the layer and the entry: absolute paths, {@code ..} components, a
 * parent component that is a symlink leading outside the layer root (absolute target, or climbing above
 * the root), a parent that is not a directory, hardlinks to targets missing from the layer, invalid
 * whiteouts ({@code .wh.}, {@code .wh..}, {@code .wh...}, a {@code .wh.} directory component),
 * {@code trusted.overlay.*} xattrs, headers the {@link TarReader} refuses, and streams over the
 * {@link UnpackLimits} (the layer's own, and the image's through its {@link UnpackBudget}).
 *
 * <p>What the layer made and the confinement of names are {@link LayerPaths}'; owners, modes, xattrs and times
 * {@link EntryMetadata}'s.
 */
public final class LayerApplier {
  static final String WHITEOUT_PREFIX = ".wh.";
  static final String OPAQUE = ".wh..wh..opq";
  private record PendingDir(Path path, TarEntry entry) { }

  /** What one layer produced. */
  public record Stats(long entries, long contentBytes) { }

  private final Syscalls sys;
  private final UnpackLimits limits;
  private final UnpackBudget.Layer budget;
  private final String layer;
  private final Path root;
  private final LayerPaths paths;
  private final EntryMetadata metadata;
  private final Map<String, PendingDir> dirs = new java.util.LinkedHashMap<>();
  private final byte[] buf = new byte[1 << 20];
  /** Appliers running in this process. */
  private static final java.util.concurrent.atomic.AtomicInteger ACTIVE = new java.util.concurrent.atomic.AtomicInteger();
  private final int workers;
  /** Small files being written by the workers, named since the last drain. */
  private final java.util.Set<String> inflight = new java.util.HashSet<>();
  private ParallelFiles files;
  private long entries;
  private long contentBytes;

  /**
   * @param layer how errors name the layer (its digest)
   * @param root an empty directory the layer is unpacked into
   */
  public LayerApplier(Syscalls sys, UnpackLimits limits, String layer, Path root) {
    this(sys, new UnpackBudget(limits).layer(), layer, root, -1);
  }

  /** As above, counting entries toward the image's {@code budget} too. */
  LayerApplier(Syscalls sys, UnpackBudget.Layer budget, String layer, Path root) {
    this(sys, budget, layer, root, -1);
  }

  /**
   * As above, with {@code workers} threads of its own writing small files ({@code 0}: all on the calling
   * thread; {@code -1}: the process-wide workers, or none if {@code DCONT_UNPACK_WORKERS=0}).
   */
  LayerApplier(Syscalls sys, UnpackLimits limits, String layer, Path root, int workers) {
    this(sys, new UnpackBudget(limits).layer(), layer, root, workers);
  }

  private LayerApplier(Syscalls sys, UnpackBudget.Layer budget, String layer, Path root, int workers) {
    this.sys = sys;
    this.limits = budget.limits();
    this.budget = budget;
    this.layer = layer;
    this.root = root;
    this.workers = workers;
    this.paths = new LayerPaths(sys, layer, root);
    this.metadata = new EntryMetadata(sys, layer, root);
  }

  private LayerRefusedException refuse(String entry, String problem) {
    return refusal(layer, entry, problem);
  }

  /** The refusal of {@code entry} of {@code layer}, one line. */
  static LayerRefusedException refusal(String layer, String entry, String problem) {
    return new LayerRefusedException("layer " + layer + ": entry '" + printable(entry) + "' " + problem
        + " (the layer is refused; nothing outside the store was touched)");
  }

  /** A limit reached while reading {@code entry} (null: between entries): the stream under the reader stopped. */
  private LayerRefusedException overLimit(String entry, LimitExceededException x) {
    return new LayerRefusedException("layer " + layer + ": " + (entry == null ? "after " + entries + " entries"
        : "entry '" + printable(entry) + "'") + ": " + x.getMessage() + " (the layer is refused)");
  }

  static String printable(String s) {
    String c = s.replaceAll("\\p{Cntrl}", "?");
    return c.length() > 200 ? c.substring(0, 200) + "…" : c;
  }

  /** Applies every entry of {@code tar}; restores directory metadata last. */
  public Stats apply(TarReader tar) throws IOException {
    files = workers > 0 ? new ParallelFiles(workers, layer)
        : workers < 0 && ParallelFiles.defaultWorkers() > 0 ? new ParallelFiles() : null;
    ACTIVE.incrementAndGet();
    try {
      applyAll(tar);
      if (files != null) {
        files.drain();
      }
      finishDirectories();
    } finally {
      ACTIVE.decrementAndGet();
      if (files != null) {
        files.close();
      }
    }
    return new Stats(entries, contentBytes);
  }

  /**
   * What the applied layer measures, the same as {@link SnapshotStore#measure} of its root ({@code du
   * --apparent-size -b}, entries but the root) without walking the tree again (see {@link LayerPaths#measure}).
   */
  public SnapshotStore.Measure measure() throws IOException {
    return paths.measure();
  }

  private void applyAll(TarReader tar) throws IOException {
    TarEntry e;
    while (true) {
      try {
        e = tar.next();
      } catch (LimitExceededException x) {
        throw overLimit(null, x);
      } catch (TarHeaderException x) {
        throw refuse(x.entry() != null ? x.entry() : "(after " + entries + " entries)", x.problem());
      }
      if (e == null) {
        break;
      }
      if (++entries > limits.maxEntries()) {
        throw refuse(e.name(), "is over the limit of " + limits.maxEntries()
            + " entries per layer (a decompression bomb? raise DCONT_MAX_LAYER_ENTRIES if the layer is genuine)");
      }
      if (!budget.addEntry()) {
        throw refuse(e.name(), budget.entriesProblem());
      }
      try {
        applyEntry(tar, e);
      } catch (LimitExceededException x) {
        throw overLimit(e.name(), x);
      }
    }
  }

  /** Waits for the workers' files: before a name they may still be writing is removed or linked to. */
  private void drainFiles() throws IOException {
    if (files != null) {
      files.drain();
      inflight.clear();
    }
  }

  /** Reads an entry's content (at most {@code into.length} bytes) into {@code into}; returns how many it read. */
  private static int readContent(TarReader tar, TarEntry e, byte[] into) throws IOException {
    int size = (int) e.size();
    int off = 0;
    while (off < size) {
      int n = tar.read(into, off, size - off);
      if (n < 0) {
        break;
      }
      off += n;
    }
    return off;
  }

  private void applyEntry(TarReader tar, TarEntry e) throws IOException {
    for (String x : e.xattrs().keySet()) {
      if (x.startsWith("trusted.overlay.")) {
        throw refuse(e.name(), "carries xattr " + x + ", which only overlayfs may set");
      }
    }
    List<String> comps = paths.components(e.name(), e.name());
    if (comps.isEmpty()) {
      // "./" itself: the snapshot root keeps its own metadata, as Docker does.
      return;
    }
    for (int i = 0; i < comps.size() - 1; i++) {
      if (comps.get(i).startsWith(WHITEOUT_PREFIX)) {
        throw refuse(e.name(), "has a whiteout as a directory component");
      }
    }
    String base = comps.get(comps.size() - 1);
    String parent = paths.resolveParent(e.name(), comps.subList(0, comps.size() - 1), true);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      whiteout(e, parent, base);
      return;
    }
    String rel = LayerPaths.join(parent, base);
    Path p = root.resolve(rel);
    Node existing = paths.get(rel);
    if (e.type() == TarEntry.Type.DIRECTORY) {
      if (existing != null && existing.kind() != Kind.DIR) {
        removeExisting(rel, existing);
        existing = null;
      }
      if (existing == null) {
        Files.createDirectory(p);
        paths.put(rel, new Node(Kind.DIR, null, 0));
      }
      metadata.setXattrs(p, e);
      dirs.put(rel, new PendingDir(p, e));
      return;
    }
    if (existing != null) {
      removeExisting(rel, existing);
    }
    switch (e.type()) {
      case FILE -> {
        // several layers unpacking at once already keep the cores busy creating files: then each writes its own
        if (files != null && e.size() <= ParallelFiles.MAX_FILE && (workers > 0 || ACTIVE.get() == 1)) {
          byte[] data = files.buffer((int) e.size());
          int length = readContent(tar, e, data);
          contentBytes += length;
          paths.put(rel, new Node(Kind.FILE, null, length));
          inflight.add(rel);
          files.submit(data, length, () -> {
            try (FileOutputStream out = new FileOutputStream(p.toFile())) {
              out.write(data, 0, length);
            }
            metadata.ownModeTimes(p, e, true);
          });
        } else {
          long written = 0;
          try (FileOutputStream out = new FileOutputStream(p.toFile())) {
            int n;
            while ((n = tar.read(buf, 0, buf.length)) > 0) {
              out.write(buf, 0, n);
              written += n;
            }
          }
          contentBytes += written;
          paths.put(rel, new Node(Kind.FILE, null, written));
          metadata.ownModeTimes(p, e, true);
        }
      }
      case SYMLINK -> {
        if (e.linkName().isEmpty()) {
          throw refuse(e.name(), "is a symlink with an empty target");
        }
        Files.createSymbolicLink(p, Path.of(e.linkName()));
        paths.put(rel, new Node(Kind.SYMLINK, e.linkName(), 0));
        metadata.ownModeTimes(p, e, false);
      }
      case HARDLINK -> {
        List<String> tc = paths.components(e.name(), e.linkName());
        if (tc.isEmpty()) {
          throw refuse(e.name(), "is a hardlink to the layer root");
        }
        String tparent = paths.resolveParent(e.name(), tc.subList(0, tc.size() - 1), false);
        String trel = tparent == null ? null : LayerPaths.join(tparent, tc.get(tc.size() - 1));
        Node target = trel == null ? null : paths.get(trel);
        if (target != null && inflight.contains(trel)) {
          drainFiles(); // link to a file only once it exists
        }
        if (target == null) {
          throw refuse(e.name(), "is a hardlink to '" + printable(e.linkName())
              + "', which is not an earlier entry of this layer");
        }
        if (target.kind() == Kind.DIR) {
          throw refuse(e.name(), "is a hardlink to a directory");
        }
        Files.createLink(p, root.resolve(trel));
        paths.put(rel, target);
      }
      case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
        int type = e.type() == TarEntry.Type.FIFO ? Syscalls.S_IFIFO
            : e.type() == TarEntry.Type.CHAR_DEVICE ? Syscalls.S_IFCHR : Syscalls.S_IFBLK;
        try {
          sys.mknod(p, type | (e.mode() & 0777), e.devMajor(), e.devMinor());
        } catch (IOException x) {
          throw new LayerException("layer " + layer + ": entry '" + printable(e.name()) + "': " + x.getMessage()
              + (sys.privileged() ? "" : " (device nodes need root)"), x);
        }
        paths.put(rel, new Node(Kind.OTHER, null, 0));
        metadata.ownModeTimes(p, e, true);
      }
      default -> throw refuse(e.name(), "has an unsupported type");
    }
  }

  private void whiteout(TarEntry e, String parent, String base) throws IOException {
    if (base.equals(OPAQUE)) {
      Path dir = parent.isEmpty() ? root : root.resolve(parent);
      sys.lsetxattr(dir, "trusted.overlay.opaque", "y".getBytes(StandardCharsets.US_ASCII));
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) {
      // Other aufs metadata (.wh..wh.plnk, .wh..wh.aufs): Docker ignores it too.
      return;
    }
    String name = base.substring(WHITEOUT_PREFIX.length());
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw refuse(e.name(), "is an invalid whiteout");
    }
    String rel = LayerPaths.join(parent, name);
    Node existing = paths.get(rel);
    if (existing != null) {
      removeExisting(rel, existing);
    }
    Path p = root.resolve(rel);
    try {
      sys.mknod(p, Syscalls.S_IFCHR, 0, 0);
    } catch (IOException x) {
      throw new LayerException("layer " + layer + ": whiteout '" + printable(e.name()) + "': " + x.getMessage()
          + (sys.privileged() ? "" : " (overlay whiteouts need root)"), x);
    }
    paths.put(rel, new Node(Kind.OTHER, null, 0));
  }

  private void removeExisting(String rel, Node n) throws IOException {
    if (n.kind() == Kind.DIR || inflight.contains(rel)) {
      drainFiles(); // no worker may still write the file, or into the directory
    }
    Path p = root.resolve(rel);
    if (n.kind() == Kind.DIR) {
      String prefix = rel + "/";
      paths.removeUnder(prefix);
      dirs.keySet().removeIf(k -> k.startsWith(prefix));
      dirs.remove(rel);
      try (var walk = Files.walk(p)) {
        for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(x);
        }
      }
    } else {
      Files.delete(p);
    }
    paths.remove(rel);
  }

  private void finishDirectories() throws IOException {
    // Deepest first is not needed for times (a child's utimes does not touch its parent), but mode last
    // matters for directories without write permission.
    List<PendingDir> all = new ArrayList<>(dirs.values());
    for (int i = all.size() - 1; i >= 0; i--) {
      PendingDir d = all.get(i);
      metadata.ownModeTimes(d.path(), d.entry(), true);
    }
  }

  /** Thrown by the stream under the reader when a layer exceeds {@link UnpackLimits#maxBytes()}. */
  public static final class LimitExceededException extends IOException {
    public LimitExceededException(String message) {
      super(message);
    }
  }

  static boolean exists(Path p) {
    return Files.exists(p, LinkOption.NOFOLLOW_LINKS);
  }
}
