package dev.dcont.layers.archive;

import dev.dcont.layers.sys.Syscalls;
import dev.dcont.layers.tar.TarEntry;
import dev.dcont.layers.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
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
 * what lies below it. Directories are listed and files read through descriptors of the directories above them
 * ({@link SecureDirectoryStream}, {@code openat} without following links), so that a running container that
 * swaps a directory for a symbolic link cannot make the export read a file outside its layers.
 */
public final class RootExport {
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFIFO = 0010000;
  private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime,ino,dev,rdev,nlink";

  private final Syscalls sys;
  private final Map<String, String> hardlinks = new HashMap<>();

  public RootExport(Syscalls sys) {
    this.sys = sys;
  }

  /** Writes the merge of {@code layers} (the top one first) to {@code out} as a tar; {@code out} stays open. */
  public void write(List<Path> layers, OutputStream out) throws IOException {
    TarWriter tar = new TarWriter(out);
    List<Dir> dirs = new ArrayList<>();
    try {
      for (Path p : layers) {
        dirs.add(Dir.open(p));
      }
      walk(tar, "", dirs);
    } finally {
      for (Dir d : dirs) {
        d.close();
      }
    }
    tar.finish();
  }

  /** An open directory: its path (for attributes) and its stream (for listing and opening what is in it). */
  private record Dir(Path path, DirectoryStream<Path> stream) implements AutoCloseable {
    static Dir open(Path p) throws IOException {
      return new Dir(p, Files.newDirectoryStream(p));
    }

    Dir child(String name) throws IOException {
      Path p = path.resolve(name);
      if (stream instanceof SecureDirectoryStream<Path> s) {
        return new Dir(p, s.newDirectoryStream(Path.of(name), LinkOption.NOFOLLOW_LINKS));
      }
      return open(p);
    }

    SeekableByteChannel file(String name) throws IOException {
      Set<java.nio.file.OpenOption> opts = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      if (stream instanceof SecureDirectoryStream<Path> s) {
        return s.newByteChannel(Path.of(name), opts);
      }
      return Files.newByteChannel(path.resolve(name), opts);
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  private record Winner(int layer, Path path, Map<String, Object> attrs) { }

  private void walk(TarWriter tar, String rel, List<Dir> dirs) throws IOException {
    TreeMap<String, Winner> winners = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < dirs.size(); i++) {
      for (Path entry : dirs.get(i).stream()) {
        String name = entry.getFileName().toString();
        if (!seen.add(name)) {
          continue;
        }
        Map<String, Object> a = attrs(dirs.get(i).path().resolve(name));
        if (a != null && !isWhiteout(a)) {
          winners.put(name, new Winner(i, dirs.get(i).path().resolve(name), a));
        }
      }
    }
    for (Map.Entry<String, Winner> e : winners.entrySet()) {
      String name = rel.isEmpty() ? e.getKey() : rel + "/" + e.getKey();
      Winner w = e.getValue();
      int mode = (int) w.attrs().get("mode");
      int type = mode & S_IFMT;
      if (type == S_IFDIR) {
        tar.put(entry(name, TarEntry.Type.DIRECTORY, null, w, 0, Map.of()));
        List<Dir> sub = new ArrayList<>();
        try {
          sub.add(dirs.get(w.layer()).child(e.getKey()));
          if (!opaque(w.path())) {
            for (int j = w.layer() + 1; j < dirs.size(); j++) {
              Path below = dirs.get(j).path().resolve(e.getKey());
              Map<String, Object> a = attrs(below);
              if (a == null) {
                continue;
              }
              if (isWhiteout(a) || ((int) a.get("mode") & S_IFMT) != S_IFDIR) {
                break;
              }
              sub.add(dirs.get(j).child(e.getKey()));
              if (opaque(below)) {
                break;
              }
            }
          }
          walk(tar, name, sub);
        } finally {
          for (Dir d : sub) {
            d.close();
          }
        }
      } else if (type == S_IFREG) {
        file(tar, name, dirs.get(w.layer()), e.getKey(), w);
      } else if (type == S_IFLNK) {
        String target = Files.readSymbolicLink(w.path()).toString();
        tar.put(entry(name, TarEntry.Type.SYMLINK, target, w, 0, Map.of()));
      } else if (type == S_IFCHR || type == S_IFBLK) {
        tar.put(entry(name, type == S_IFCHR ? TarEntry.Type.CHAR_DEVICE : TarEntry.Type.BLOCK_DEVICE, null, w, 0,
            Map.of()));
      } else if (type == S_IFIFO) {
        tar.put(entry(name, TarEntry.Type.FIFO, null, w, 0, Map.of()));
      }
      // sockets are not archived (as tar and Docker leave them out)
    }
  }

  private void file(TarWriter tar, String name, Dir dir, String base, Winner w) throws IOException {
    if ((int) w.attrs().get("nlink") > 1) {
      String key = w.attrs().get("dev") + ":" + w.attrs().get("ino");
      String first = hardlinks.putIfAbsent(key, name);
      if (first != null) {
        tar.put(entry(name, TarEntry.Type.HARDLINK, first, w, 0, Map.of()));
        return;
      }
    }
    Map<String, byte[]> xattrs = Map.of();
    byte[] cap = sys.lgetxattr(w.path(), "security.capability");
    if (cap != null) {
      xattrs = Map.of("security.capability", cap);
    }
    long size = (long) w.attrs().get("size");
    tar.put(entry(name, TarEntry.Type.FILE, null, w, size, xattrs));
    try (SeekableByteChannel ch = dir.file(base); InputStream in = Channels.newInputStream(ch)) {
      byte[] buf = new byte[1 << 16];
      while (tar.remaining() > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, tar.remaining()));
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

  private static TarEntry entry(String name, TarEntry.Type type, String link, Winner w, long size,
      Map<String, byte[]> xattrs) {
    Map<String, Object> a = w.attrs();
    long rdev = (long) a.get("rdev");
    int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    long mtime = ((FileTime) a.get("lastModifiedTime")).to(java.util.concurrent.TimeUnit.NANOSECONDS);
    boolean device = type == TarEntry.Type.CHAR_DEVICE || type == TarEntry.Type.BLOCK_DEVICE;
    return new TarEntry(name, type, link, (int) a.get("mode") & 07777, (int) a.get("uid"), (int) a.get("gid"),
        size, mtime, mtime, device ? major : 0, device ? minor : 0, xattrs);
  }

  private static Map<String, Object> attrs(Path p) throws IOException {
    try {
      return Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static boolean isWhiteout(Map<String, Object> a) {
    return ((int) a.get("mode") & S_IFMT) == S_IFCHR && (long) a.get("rdev") == 0;
  }

  private boolean opaque(Path dir) throws IOException {
    byte[] v = sys.lgetxattr(dir, "trusted.overlay.opaque");
    return v != null && new String(v, StandardCharsets.US_ASCII).equals("y");
  }
}
