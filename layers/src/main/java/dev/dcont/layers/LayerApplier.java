package dev.dcont.layers;

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
import java.util.HashMap;
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
 */
public final class LayerApplier {
  static final String WHITEOUT_PREFIX = ".wh.";
  static final String OPAQUE = ".wh..wh..opq";
  private static final int MAX_LINK_HOPS = 40;

  private enum Kind { DIR, FILE, SYMLINK, OTHER }

  /** A path this layer made: its kind, a symlink's target, a regular file's size. Hardlinks share one node. */
  private record Node(Kind kind, String target, long size) { }

  private record PendingDir(Path path, TarEntry entry) { }

  /** What one layer produced. */
  public record Stats(long entries, long contentBytes) { }

  private final Syscalls sys;
  private final UnpackLimits limits;
  private final UnpackBudget.Layer budget;
  private final String layer;
  private final Path root;
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, PendingDir> dirs = new java.util.LinkedHashMap<>();
  private final byte[] buf = new byte[1 << 20];
  private final int myUid;
  private final int myGid;
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
    int[] ids = currentIds(root);
    this.myUid = ids[0];
    this.myGid = ids[1];
  }

  private static int[] currentIds(Path root) {
    try {
      return new int[] {(Integer) Files.getAttribute(root, "unix:uid"), (Integer) Files.getAttribute(root, "unix:gid")};
    } catch (IOException | UnsupportedOperationException e) {
      return new int[] {-1, -1};
    }
  }

  private LayerRefusedException refuse(String entry, String problem) {
    return new LayerRefusedException("layer " + layer + ": entry '" + printable(entry) + "' " + problem
        + " (the layer is refused; nothing outside the store was touched)");
  }

  /** A limit reached while reading {@code entry} (null: between entries): the stream under the reader stopped. */
  private LayerRefusedException overLimit(String entry, LimitExceededException x) {
    return new LayerRefusedException("layer " + layer + ": " + (entry == null ? "after " + entries + " entries"
        : "entry '" + printable(entry) + "'") + ": " + x.getMessage() + " (the layer is refused)");
  }

  private static String printable(String s) {
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
   * --apparent-size -b}, entries but the root) without walking the tree again: the sizes of files and symlinks
   * are known from the entries (a file's hardlinks counted once), and only directories are stat'ed.
   */
  public SnapshotStore.Measure measure() throws IOException {
    java.nio.charset.Charset names = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding",
        "UTF-8"));
    java.util.Set<Node> counted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    long size = dirSize(root);
    for (Map.Entry<String, Node> x : nodes.entrySet()) {
      Node n = x.getValue();
      switch (n.kind()) {
        case DIR -> size += dirSize(root.resolve(x.getKey()));
        case FILE -> size += counted.add(n) ? n.size() : 0;
        case SYMLINK -> size += n.target().getBytes(names).length;
        case OTHER -> { }
        default -> throw new IllegalStateException(n.kind().toString());
      }
    }
    return new SnapshotStore.Measure(size, nodes.size());
  }

  private static long dirSize(Path dir) throws IOException {
    return Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .size();
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
    List<String> comps = components(e.name(), e.name());
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
    String parent = resolveParent(e.name(), comps.subList(0, comps.size() - 1), true);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      whiteout(e, parent, base);
      return;
    }
    String rel = join(parent, base);
    Path p = root.resolve(rel);
    Node existing = nodes.get(rel);
    if (e.type() == TarEntry.Type.DIRECTORY) {
      if (existing != null && existing.kind() != Kind.DIR) {
        removeExisting(rel, existing);
        existing = null;
      }
      if (existing == null) {
        Files.createDirectory(p);
        nodes.put(rel, new Node(Kind.DIR, null, 0));
      }
      setXattrs(p, e);
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
          nodes.put(rel, new Node(Kind.FILE, null, length));
          inflight.add(rel);
          files.submit(data, length, () -> {
            try (FileOutputStream out = new FileOutputStream(p.toFile())) {
              out.write(data, 0, length);
            }
            ownModeTimes(p, e, true);
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
          nodes.put(rel, new Node(Kind.FILE, null, written));
          ownModeTimes(p, e, true);
        }
      }
      case SYMLINK -> {
        if (e.linkName().isEmpty()) {
          throw refuse(e.name(), "is a symlink with an empty target");
        }
        Files.createSymbolicLink(p, Path.of(e.linkName()));
        nodes.put(rel, new Node(Kind.SYMLINK, e.linkName(), 0));
        ownModeTimes(p, e, false);
      }
      case HARDLINK -> {
        List<String> tc = components(e.name(), e.linkName());
        if (tc.isEmpty()) {
          throw refuse(e.name(), "is a hardlink to the layer root");
        }
        String tparent = resolveParent(e.name(), tc.subList(0, tc.size() - 1), false);
        String trel = tparent == null ? null : join(tparent, tc.get(tc.size() - 1));
        Node target = trel == null ? null : nodes.get(trel);
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
        nodes.put(rel, target);
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
        nodes.put(rel, new Node(Kind.OTHER, null, 0));
        ownModeTimes(p, e, true);
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
    String rel = join(parent, name);
    Node existing = nodes.get(rel);
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
    nodes.put(rel, new Node(Kind.OTHER, null, 0));
  }

  /** Splits and validates an entry or link name into components; refuses absolute paths and '..'. */
  private List<String> components(String entry, String name) {
    if (name.startsWith("/")) {
      throw refuse(entry, "has an absolute path '" + printable(name) + "'");
    }
    if (name.indexOf('\0') >= 0) {
      throw refuse(entry, "has a NUL byte in its name");
    }
    List<String> out = new ArrayList<>();
    for (String c : name.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw refuse(entry, "has a '..' component in '" + printable(name) + "'");
      }
      out.add(c);
    }
    return out;
  }

  /**
   * Resolves parent components inside the root, following symlinks of this layer only while they stay
   * inside it; creates implied directories (0755) when {@code create}, else returns null for a missing one.
   */
  private String resolveParent(String entry, List<String> comps, boolean create) throws IOException {
    return resolve(entry, new ArrayList<>(), comps, create, new int[] {0});
  }

  private String resolve(String entry, List<String> cur, List<String> comps, boolean create, int[] hops)
      throws IOException {
    for (String c : comps) {
      cur.add(c);
      String rel = String.join("/", cur);
      Node n = nodes.get(rel);
      if (n == null) {
        if (!create) {
          return null;
        }
        Files.createDirectory(root.resolve(rel));
        sys.chmod(root.resolve(rel), 0755);
        nodes.put(rel, new Node(Kind.DIR, null, 0));
      } else if (n.kind() == Kind.SYMLINK) {
        if (++hops[0] > MAX_LINK_HOPS) {
          throw refuse(entry, "goes through too many levels of symlinks");
        }
        if (n.target().startsWith("/")) {
          throw refuse(entry, "goes through symlink '" + rel + "' -> '" + printable(n.target())
              + "', which points outside the layer");
        }
        cur.remove(cur.size() - 1);
        List<String> next = new ArrayList<>();
        for (String t : n.target().split("/")) {
          if (t.isEmpty() || t.equals(".")) {
            continue;
          }
          if (t.equals("..")) {
            if (cur.isEmpty() && next.isEmpty()) {
              throw refuse(entry, "goes through symlink '" + rel + "' -> '" + printable(n.target())
                  + "', which points outside the layer");
            }
            if (!next.isEmpty()) {
              next.remove(next.size() - 1);
            } else {
              cur.remove(cur.size() - 1);
            }
          } else {
            next.add(t);
          }
        }
        String r = resolve(entry, cur, next, create, hops);
        if (r == null) {
          return null;
        }
      } else if (n.kind() != Kind.DIR) {
        throw refuse(entry, "has a parent '" + rel + "' that is not a directory");
      }
    }
    return String.join("/", cur);
  }

  private static String join(String parent, String base) {
    return parent.isEmpty() ? base : parent + "/" + base;
  }

  private void removeExisting(String rel, Node n) throws IOException {
    if (n.kind() == Kind.DIR || inflight.contains(rel)) {
      drainFiles(); // no worker may still write the file, or into the directory
    }
    Path p = root.resolve(rel);
    if (n.kind() == Kind.DIR) {
      String prefix = rel + "/";
      nodes.keySet().removeIf(k -> k.startsWith(prefix));
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
    nodes.remove(rel);
  }

  private void setXattrs(Path p, TarEntry e) throws IOException {
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      try {
        sys.lsetxattr(p, x.getKey(), x.getValue());
      } catch (IOException err) {
        if (!sys.privileged() && (x.getKey().startsWith("trusted.") || x.getKey().startsWith("security."))) {
          continue; // as GNU tar without root: privileged namespaces are skipped
        }
        throw new LayerException("layer " + layer + ": entry '" + printable(e.name()) + "': " + err.getMessage(),
            err);
      }
    }
  }

  /** Owner first, then mode (chown clears setuid/setgid), xattrs, then times. */
  private void ownModeTimes(Path p, TarEntry e, boolean chmod) throws IOException {
    if (e.uid() != myUid || e.gid() != myGid) {
      if (sys.privileged()) {
        sys.lchown(p, e.uid(), e.gid());
      }
    }
    if (chmod) {
      sys.chmod(p, e.mode());
    }
    if (!e.xattrs().isEmpty()) {
      setXattrs(p, e);
    }
    sys.lutimes(p, e.atimeNanos(), e.mtimeNanos());
  }

  private void finishDirectories() throws IOException {
    // Deepest first is not needed for times (a child's utimes does not touch its parent), but mode last
    // matters for directories without write permission.
    List<PendingDir> all = new ArrayList<>(dirs.values());
    for (int i = all.size() - 1; i >= 0; i--) {
      PendingDir d = all.get(i);
      ownModeTimes(d.path(), d.entry(), true);
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
