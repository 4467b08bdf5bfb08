package dev.dcont.layers;

import dev.dcont.layers.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The paths one layer made under its root, and the confinement of names to that root: what {@link LayerApplier}
 * asks instead of the file system, so that it never follows a link it did not resolve itself. Names are split
 * and checked here (no absolute paths, no {@code ..}), parents resolved through the layer's own symlinks only
 * while they stay inside the root, and missing parents made.
 */
final class LayerPaths {
  private static final int MAX_LINK_HOPS = 40;

  enum Kind { DIR, FILE, SYMLINK, OTHER }

  /** A path this layer made: its kind, a symlink's target, a regular file's size. Hardlinks share one node. */
  record Node(Kind kind, String target, long size) { }

  private final Syscalls sys;
  private final String layer;
  private final Path root;
  private final Map<String, Node> nodes = new HashMap<>();

  LayerPaths(Syscalls sys, String layer, Path root) {
    this.sys = sys;
    this.layer = layer;
    this.root = root;
  }

  Node get(String rel) {
    return nodes.get(rel);
  }

  void put(String rel, Node n) {
    nodes.put(rel, n);
  }

  void remove(String rel) {
    nodes.remove(rel);
  }

  /** Forgets every path under {@code prefix} (a directory's path and '/'). */
  void removeUnder(String prefix) {
    nodes.keySet().removeIf(k -> k.startsWith(prefix));
  }

  private LayerRefusedException refuse(String entry, String problem) {
    return LayerApplier.refusal(layer, entry, problem);
  }

  /**
   * What the layer made measures, the same as {@link SnapshotStore#measure} of its root ({@code du
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

  /** Splits and validates an entry or link name into components; refuses absolute paths and '..'. */
  List<String> components(String entry, String name) {
    if (name.startsWith("/")) {
      throw refuse(entry, "has an absolute path '" + LayerApplier.printable(name) + "'");
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
        throw refuse(entry, "has a '..' component in '" + LayerApplier.printable(name) + "'");
      }
      out.add(c);
    }
    return out;
  }

  /**
   * Resolves parent components inside the root, following symlinks of this layer only while they stay
   * inside it; creates implied directories (0755) when {@code create}, else returns null for a missing one.
   */
  String resolveParent(String entry, List<String> comps, boolean create) throws IOException {
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
          throw refuse(entry, "goes through symlink '" + rel + "' -> '" + LayerApplier.printable(n.target())
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
              throw refuse(entry, "goes through symlink '" + rel + "' -> '" + LayerApplier.printable(n.target())
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

  static String join(String parent, String base) {
    return parent.isEmpty() ? base : parent + "/" + base;
  }
}
