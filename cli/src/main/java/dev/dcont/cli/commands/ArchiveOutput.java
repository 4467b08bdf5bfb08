package dev.dcont.cli.commands;

import dev.dcont.cli.Errors;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where {@code save} and {@code export} write their tar: a file given with {@code -o} (a regular file is written
 * beside it under another name and renamed when complete, so that a failure leaves no half archive under the
 * name; anything else, such as {@code /dev/null} or a pipe, is written as it is), else
 * standard output, which must not be a terminal (as Docker refuses).
 */
final class ArchiveOutput {
  /** What writes the archive. */
  interface Body {
    void write(OutputStream out) throws IOException;
  }

  private ArchiveOutput() { }

  static void write(Path output, Body body) throws IOException {
    if (output == null) {
      if (isTerminal(1)) {
        throw new Errors.UserError("cowardly refusing to save to a terminal. Use the -o flag or redirect");
      }
      OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
      body.write(out);
      out.flush();
      return;
    }
    Path target = output.toAbsolutePath();
    if (Files.exists(target) && !Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      // a device, a pipe or a link: written as it is, never replaced by a rename
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target, StandardOpenOption.WRITE),
          1 << 16)) {
        body.write(out);
      }
      return;
    }
    Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + ProcessHandle.current().pid());
    boolean done = false;
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), 1 << 16)) {
        body.write(out);
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(partial);
      }
    }
  }

  /** Whether the descriptor {@code fd} of this process is a terminal. */
  static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
