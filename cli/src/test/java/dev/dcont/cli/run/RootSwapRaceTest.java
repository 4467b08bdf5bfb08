package dev.dcont.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.dcont.cli.Errors;
import dev.dcont.testkit.Root;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process in the container swaps names in its root while dcont looks them up (as {@code exec -u} and a
 * shared volume allow): what dcont reads or makes must never be outside the root, and it must never block.
 * The swaps are atomic exchanges in a tight loop, so a check-then-use lookup loses within a few tries.
 */
class RootSwapRaceTest {
  private static final Duration RACE = Duration.ofSeconds(3);
  /** A lookup that blocks would block at once: a shorter race is enough. */
  private static final Duration BLOCKING_RACE = Duration.ofSeconds(2);
  private static final int TRIES = 3000;

  @TempDir
  Path tmp;

  /** {@code renameat2(RENAME_EXCHANGE)}: what a process of the container can do to its own files. */
  static final class Exchange {
    static {
      Native.register(Exchange.class, Platform.C_LIBRARY_NAME);
    }

    private static native int renameat2(int olddirfd, String oldpath, int newdirfd, String newpath, int flags)
        throws LastErrorException;

    private static native int open(String path, int flags) throws LastErrorException;

    private static native int close(int fd) throws LastErrorException;

    static void swap(Path a, Path b) {
      renameat2(-100, a.toString(), -100, b.toString(), 2);
    }
  }

  /** Exchanges two names until closed. */
  static final class Swapper implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stop;
    private volatile long swaps;

    Swapper(Path a, Path b) {
      thread = new Thread("swapper") {
        @Override
        public void run() {
          while (!stop) {
            Exchange.swap(a, b);
            swaps++;
          }
        }
      };
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join();
      assertTrue(swaps > 100, "the names were swapped (" + swaps + " times)");
    }
  }

  private Path rootWithPasswd() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    return root;
  }

  @Test
  void aPasswdSwappedForASymlinkToAHostFileIsNeverReadFromTheHost() throws Exception {
    Path root = rootWithPasswd();
    Path host = tmp.resolve("host-passwd");
    Files.writeString(host, "hostonlyuser:x:4242:4242::/:/bin/sh\n");
    Files.createSymbolicLink(root.resolve("etc/alt"), host);
    long end = System.nanoTime() + RACE.toNanos();
    try (Swapper s = new Swapper(root.resolve("etc/passwd"), root.resolve("etc/alt"))) {
      for (int i = 0; i < TRIES && System.nanoTime() < end; i++) {
        try {
          UserSpec.Resolved r = UserSpec.resolve("hostonlyuser", root);
          fail("try " + i + ": hostonlyuser was found in the host's file: " + r);
        } catch (Errors.UserError e) {
          assertEquals("unable to find user hostonlyuser: no matching entries in passwd file", e.getMessage());
        }
      }
    }
  }

  @Test
  void aPasswdSwappedForAFifoNeverBlocksTheLookup() throws Exception {
    Path root = rootWithPasswd();
    Path fifo = root.resolve("etc/alt");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    assertTrue(Files.exists(fifo));
    try {
      lookUpWhileSwapped(root, fifo);
    } finally {
      releaseReadersOf(root.resolve("etc/passwd"), fifo);
    }
  }

  @Test
  void aPasswdSwappedForADeviceNodeIsNeverRead() throws Exception {
    Root.require("mknod");
    Path root = rootWithPasswd();
    Path zero = root.resolve("etc/alt");
    assertEquals(0, new ProcessBuilder("mknod", zero.toString(), "c", "1", "5").start().waitFor());
    lookUpWhileSwapped(root, zero);
  }

  /** Each lookup ends, quickly: with the user found in the regular file or not found at all. */
  private static void lookUpWhileSwapped(Path root, Path alt) {
    assertTimeoutPreemptively(BLOCKING_RACE.multipliedBy(5), () -> {
      long end = System.nanoTime() + BLOCKING_RACE.toNanos();
      try (Swapper s = new Swapper(root.resolve("etc/passwd"), alt)) {
        for (int i = 0; i < TRIES && System.nanoTime() < end; i++) {
          try {
            assertEquals(0, UserSpec.resolve("root", root).uid());
          } catch (Errors.UserError e) {
            assertEquals("unable to find user root: no matching entries in passwd file", e.getMessage());
          }
        }
      }
    });
  }

  /**
   * A lookup stuck opening a FIFO for reading (the failure this test looks for) is let go by opening it for
   * writing; without a reader the open fails (ENXIO), and nothing is created.
   */
  private static void releaseReadersOf(Path... fifos) {
    for (Path f : fifos) {
      try {
        Exchange.close(Exchange.open(f.toString(), 01 | 04000)); // O_WRONLY | O_NONBLOCK
      } catch (LastErrorException ignored) {
        // no reader waits on it, or it is not a FIFO
      }
    }
  }

  @Test
  void aDirectorySwappedForASymlinkToTheHostWhileTheWorkingDirectoryIsMadeKeepsItInTheRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("a"));
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.createSymbolicLink(root.resolve("alt"), host);
    UserSpec.Resolved user = new UserSpec.Resolved(0, 0, List.of(), "/");
    long end = System.nanoTime() + RACE.toNanos();
    try (Swapper s = new Swapper(root.resolve("a"), root.resolve("alt"))) {
      for (int i = 0; i < TRIES && System.nanoTime() < end; i++) {
        try {
          WorkDirs.ensure(root, "/a/d" + i, user);
        } catch (IOException e) {
          // a lost race may fail the creation; only where it happens matters here
        }
        try (Stream<Path> made = Files.list(host)) {
          List<Path> out = made.toList();
          assertEquals(List.of(), out, "try " + i + ": a directory was made on the host");
        }
      }
    }
  }
}
