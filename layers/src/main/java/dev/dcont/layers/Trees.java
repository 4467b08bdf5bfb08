package dev.dcont.layers;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Directory trees of the store: deleting one without following links, listing one. */
public final class Trees {
  private Trees() { }

  /** Deletes a directory tree without following symlinks. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        // A directory restored without write permission still has to be emptied.
        if (!Files.isWritable(d)) {
          d.toFile().setWritable(true, true);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
        if (exc != null) {
          throw exc;
        }
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static void deleteQuietly(Path p) {
    try {
      deleteTree(p);
    } catch (IOException ignored) {
      // prune finds it later
    }
  }

  static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return new ArrayList<>(s.toList());
    }
  }
}
