package dev.dcont.layers;

import dev.dcont.store.StoreLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts of an active snapshot ({@link Snapshotter#mounts}). A container's root is
 * {@code mount -t overlay overlay -o <options> <target>} run with the working directory {@code workingDir} (the
 * store's {@code l/}), where the lower directories are short link names (top layer first) and upper and work are
 * relative paths; that keeps the options of a 500-layer image within the kernel's one-page limit. {@code lowerDirs}
 * gives the same directories as absolute paths. A view has no upper and work directory and mounts read-only. A
 * layer being unpacked has no lower directories and nothing to mount: it is written in its upper directory, which
 * is also its target.
 */
public record MountSpec(String key, Path target, Path workingDir, List<String> lowerLinks, List<Path> lowerDirs,
    Path upperDir, Path workDir, String options) {

  public MountSpec {
    lowerLinks = List.copyOf(lowerLinks);
    lowerDirs = List.copyOf(lowerDirs);
  }

  /** A view: nothing written through it reaches the snapshots below. */
  public boolean readOnly() {
    return upperDir == null;
  }

  /** The overlay of {@code chain} (base first) for the root or view under {@code key}. */
  static MountSpec overlay(StoreLayout layout, String key, List<Snapshot> chain, boolean view) {
    Path dir = layout.container(key);
    List<String> links = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      links.add(chain.get(i).link());
      dirs.add(chain.get(i).fs(layout));
    }
    Path links0 = layout.linksDir();
    if (view) {
      return new MountSpec(key, dir.resolve("rootfs"), links0, links, dirs, null, null,
          "lowerdir=" + String.join(":", links));
    }
    String upper = links0.relativize(dir.resolve("upper")).toString();
    String work = links0.relativize(dir.resolve("work")).toString();
    String options = "lowerdir=" + String.join(":", links) + ",upperdir=" + upper + ",workdir=" + work;
    return new MountSpec(key, dir.resolve("rootfs"), links0, links, dirs, dir.resolve("upper"), dir.resolve("work"),
        options);
  }

}
