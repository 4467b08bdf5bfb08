package dev.dcont.layers;

import dev.dcont.layers.sys.Syscalls;
import dev.dcont.layers.tar.TarEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An entry's owner, mode, xattrs and times on what {@link LayerApplier} made of it, in the order that keeps them:
 * owner first (chown clears setuid/setgid), then mode, xattrs, times. Owners are set only with the privilege to;
 * without it, as GNU tar, xattrs of the privileged namespaces are skipped.
 */
final class EntryMetadata {
  private final Syscalls sys;
  private final String layer;
  private final int myUid;
  private final int myGid;

  EntryMetadata(Syscalls sys, String layer, Path root) {
    this.sys = sys;
    this.layer = layer;
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

  void setXattrs(Path p, TarEntry e) throws IOException {
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      try {
        sys.lsetxattr(p, x.getKey(), x.getValue());
      } catch (IOException err) {
        if (!sys.privileged() && (x.getKey().startsWith("trusted.") || x.getKey().startsWith("security."))) {
          continue; // as GNU tar without root: privileged namespaces are skipped
        }
        throw new LayerException("layer " + layer + ": entry '" + LayerApplier.printable(e.name()) + "': " + err.getMessage(),
            err);
      }
    }
  }

  /** Owner first, then mode (chown clears setuid/setgid), xattrs, then times. */
  void ownModeTimes(Path p, TarEntry e, boolean chmod) throws IOException {
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
}
