package dev.dcont.layers;

import java.nio.file.Path;
import java.util.List;

/**
 * How to mount a container root: {@code mount -t overlay overlay -o <options> <target>} run with the working
 * directory {@code workingDir} (the store's {@code l/}), where the lower directories are short link names
 * (top layer first) and upper and work are relative paths; that keeps the options of a 500-layer image
 * within the kernel's one-page limit. {@code lowerDirs} gives the same directories as absolute paths.
 */
public record MountSpec(String containerId, Path target, Path workingDir, List<String> lowerLinks,
    List<Path> lowerDirs, Path upperDir, Path workDir, String options) {

  public MountSpec {
    lowerLinks = List.copyOf(lowerLinks);
    lowerDirs = List.copyOf(lowerDirs);
  }
}
