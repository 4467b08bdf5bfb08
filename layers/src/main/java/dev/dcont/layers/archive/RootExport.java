package dev.dcont.layers.archive;

import dev.dcont.layers.sys.DirFd;
import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code dcont export}: a container's root as the container sees it, as a tar: the directories of its overlay
 * (upper first, then the image's layers) merged as overlayfs merges them — a name in a higher directory hides the
 * same name below, a whiteout (a 0/0 character device) hides it and shows nothing, an opaque directory hides
 * what lies below it. Everything under a layer's directory is reached through the descriptors of the directories
 * above it ({@link DirFd}: listed, examined, read and its extended attributes taken without a path and without
 * following a link), so that a running container that swaps a directory for a symbolic link cannot make the
 * export read a file, or a file's mode, owner or capabilities, from outside its layers. A regular file is
 * described by what its open descriptor says, so its header and its bytes are of one file; one that is gone or
 * is no longer a regular file when it is opened is left out.
 */
public final class RootExport {
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFIFO = 0010000;

  private final Map<String, String> hardlinks = new HashMap<>();

  /** Writes the merge of {@code layers} (the top one first) to {@code out} as a tar; {@code out} stays open. */
  public void write(List<Path> layers, OutputStream out) throws IOException {
    TarWriter tar = new TarWriter(out);
    List<DirFd> dirs = new ArrayList<>();
    try {
      for (Path p : layers) {
        dirs.add(DirFd.open(p));
      }
      walk(tar, "", dirs);
    } finally {
      dirs.forEach(DirFd::close);
    }
    tar.finish();
  }

  private record Winner(int layer, DirFd.Stat stat) { }

  private void walk(TarWriter tar, String rel, List<DirFd> dirs) throws IOException {
    TreeMap<String, Winner> winners = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < dirs.size(); i++) {
      for (String name : dirs.get(i).list()) {
        if (!seen.add(name)) {
          continue;
        }
        DirFd.Stat a = dirs.get(i).stat(name);
        if (a != null && !isWhiteout(a)) {
          winners.put(name, new Winner(i, a));
        }
      }
    }
    for (Map.Entry<String, Winner> e : winners.entrySet()) {
      String name = rel.isEmpty() ? e.getKey() : rel + "/" + e.getKey();
      Winner w = e.getValue();
      DirFd dir = dirs.get(w.layer());
      int type = w.stat().type();
      if (type == S_IFDIR) {
        List<DirFd> sub = new ArrayList<>();
        try {
          DirFd top = dir.child(e.getKey());
          if (top == null) {
            continue; // gone, or no longer a directory, since it was listed
          }
          sub.add(top);
          tar.put(entry(name, TarEntry.Type.DIRECTORY, null, w.stat(), 0, Map.of()));
          if (!opaque(top)) {
            for (int j = w.layer() + 1; j < dirs.size(); j++) {
              DirFd.Stat a = dirs.get(j).stat(e.getKey());
              if (a == null) {
                continue;
              }
              if (isWhiteout(a) || a.type() != S_IFDIR) {
                break;
              }
              DirFd below = dirs.get(j).child(e.getKey());
              if (below == null) {
                break;
              }
              sub.add(below);
              if (opaque(below)) {
                break;
              }
            }
          }
          walk(tar, name, sub);
        } finally {
          sub.forEach(DirFd::close);
        }
      } else if (type == S_IFREG) {
        file(tar, name, dir, e.getKey());
      } else if (type == S_IFLNK) {
        tar.put(entry(name, TarEntry.Type.SYMLINK, dir.readLink(e.getKey()), w.stat(), 0, Map.of()));
      } else if (type == S_IFCHR || type == S_IFBLK) {
        tar.put(entry(name, type == S_IFCHR ? TarEntry.Type.CHAR_DEVICE : TarEntry.Type.BLOCK_DEVICE, null,
            w.stat(), 0, Map.of()));
      } else if (type == S_IFIFO) {
        tar.put(entry(name, TarEntry.Type.FIFO, null, w.stat(), 0, Map.of()));
      }
      // sockets are not archived (as tar and Docker leave them out)
    }
  }

  private void file(TarWriter tar, String name, DirFd dir, String base) throws IOException {
    try (DirFd.FileFd f = dir.file(base)) {
      if (f == null) {
        return;
      }
      DirFd.Stat st = f.stat();
      if (st.nlink() > 1) {
        String key = st.dev() + ":" + st.ino();
        String first = hardlinks.putIfAbsent(key, name);
        if (first != null) {
          tar.put(entry(name, TarEntry.Type.HARDLINK, first, st, 0, Map.of()));
          return;
        }
      }
      Map<String, byte[]> xattrs = Map.of();
      byte[] cap = f.xattr("security.capability");
      if (cap != null) {
        xattrs = Map.of("security.capability", cap);
      }
      tar.put(entry(name, TarEntry.Type.FILE, null, st, st.size(), xattrs));
      byte[] buf = new byte[1 << 16];
      while (tar.remaining() > 0) {
        int n = f.read(buf, 0, (int) Math.min(buf.length, tar.remaining()));
        if (n < 0) {
          break;
        }
        tar.write(buf, 0, n);
      }
    }
    // a file that shrank while it was read (a running container writes to it) is padded to its header's size
    byte[] zeros = new byte[8192];
    while (tar.remaining() > 0) {
      tar.write(zeros, 0, (int) Math.min(zeros.length, tar.remaining()));
    }
  }

  private static TarEntry entry(String name, TarEntry.Type type, String link, DirFd.Stat a, long size,
      Map<String, byte[]> xattrs) {
    boolean device = type == TarEntry.Type.CHAR_DEVICE || type == TarEntry.Type.BLOCK_DEVICE;
    return new TarEntry(name, type, link, a.mode() & 07777, a.uid(), a.gid(), size, a.mtimeNanos(), a.mtimeNanos(),
        device ? a.rdevMajor() : 0, device ? a.rdevMinor() : 0, xattrs);
  }

  private static boolean isWhiteout(DirFd.Stat a) {
    return a.type() == S_IFCHR && a.rdevMajor() == 0 && a.rdevMinor() == 0;
  }

  private static boolean opaque(DirFd dir) throws IOException {
    byte[] v = dir.xattr("trusted.overlay.opaque");
    return v != null && new String(v, StandardCharsets.US_ASCII).equals("y");
  }
}
